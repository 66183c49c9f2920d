import fc from 'fast-check';
import { carryThread } from '../../core/continuation';
import { replay } from '../../core/reducer';
import type { NewEvent, ThreadEvent } from '../../core/thread';
import { addCall, costOf, grandTotal, priceOf, sumUsage, type ModelCallUsage, type PriceTable } from '../../core/usage';
import { eventFactory } from './support/events';

const table: PriceTable = {
  pricesAsOf: '2025-08-15',
  currency: 'USD',
  unit: 'per 1M tokens',
  models: { 'gpt-4o-mini': { input: 0.15, cachedInput: 0.075, output: 0.6 }, o3: { input: 2, output: 8 } },
};

const call = (
  model: string,
  inputTokens: number,
  outputTokens: number,
  cachedInputTokens = 0,
  costUsd?: number,
): ModelCallUsage => ({
  model,
  inputTokens,
  outputTokens,
  cachedInputTokens,
  ...(costUsd !== undefined && { costUsd }),
});

describe('prices', () => {
  it('finds a dated snapshot by its base name and leaves an unknown model unpriced', () => {
    expect(priceOf(table, 'gpt-4o-mini-2024-07-18')).toEqual(table.models['gpt-4o-mini']);
    expect(priceOf(table, 'gpt-4o-mini')).toEqual(table.models['gpt-4o-mini']);
    expect(priceOf(table, 'llama3.1:8b')).toBeUndefined();
    expect(priceOf(table, 'toString')).toBeUndefined();
    expect(priceOf(undefined, 'gpt-4o-mini')).toBeUndefined();
  });

  it('charges cached input at the cached price and the rest of the input at the input price', () => {
    // 1,000,000 input of which 400,000 cached, 100,000 output on gpt-4o-mini: 0.6*0.15 + 0.4*0.075 + 0.1*0.6
    expect(
      costOf(table.models['gpt-4o-mini']!, {
        inputTokens: 1_000_000,
        cachedInputTokens: 400_000,
        outputTokens: 100_000,
      }),
    ).toBeCloseTo(0.18, 10);
    // no cached price listed: cached input costs the input price
    expect(
      costOf(table.models.o3!, { inputTokens: 1_000_000, cachedInputTokens: 1_000_000, outputTokens: 0 }),
    ).toBeCloseTo(2, 10);
  });
});

describe('usage totals', () => {
  it('adds calls by model and counts the calls whose cost is unknown', () => {
    const totals = [
      call('gpt-4o-mini', 100, 10, 0, 0.001),
      call('gpt-4o-mini', 200, 20, 128, 0.002),
      call('llama3', 50, 5),
    ].reduce(addCall, undefined as never);
    expect(totals['gpt-4o-mini']).toEqual({
      calls: 2,
      inputTokens: 300,
      outputTokens: 30,
      cachedInputTokens: 128,
      costUsd: 0.003,
      unpricedCalls: 0,
    });
    expect(totals.llama3).toEqual({
      calls: 1,
      inputTokens: 50,
      outputTokens: 5,
      cachedInputTokens: 0,
      costUsd: 0,
      unpricedCalls: 1,
    });
    expect(grandTotal(totals)).toMatchObject({ calls: 3, inputTokens: 350, unpricedCalls: 1 });
  });

  it("sums several runs (a pipeline's children), skipping runs without usage", () => {
    const a = addCall(undefined, call('gpt-4o-mini', 100, 10, 0, 0.5));
    const b = addCall(addCall(undefined, call('gpt-4o-mini', 1, 1, 0, 0.25)), call('o3', 7, 7, 0, 1));
    expect(sumUsage([a, undefined, b])).toEqual({
      'gpt-4o-mini': {
        calls: 2,
        inputTokens: 101,
        outputTokens: 11,
        cachedInputTokens: 0,
        costUsd: 0.75,
        unpricedCalls: 0,
      },
      o3: { calls: 1, inputTokens: 7, outputTokens: 7, cachedInputTokens: 0, costUsd: 1, unpricedCalls: 0 },
    });
    expect(sumUsage([undefined])).toBeUndefined();
  });

  it('folds the usage of tool calls and model errors into the run state, and nothing else', () => {
    const stamp = eventFactory();
    const state = replay([
      stamp({ type: 'run_started', agent: 'deploybot', maxSteps: 9 }),
      stamp({
        type: 'tool_call',
        callId: 'c1',
        tool: 'list_releases',
        kind: 'immediate',
        args: {},
        usage: call('gpt-4o-mini', 1000, 20, 0, 0.01),
      }),
      stamp({
        type: 'error',
        source: 'model',
        errorType: 'ModelOutputError',
        code: 'no_tool_call',
        message: 'no call',
        usage: call('gpt-4o-mini', 900, 30),
      }),
      stamp({ type: 'error', source: 'tool', errorType: 'ToolExecutionError', message: 'failed' }),
      stamp({ type: 'tool_call', callId: 'c2', tool: 'list_releases', kind: 'immediate', args: {} }),
    ]);
    expect(state.usage).toEqual({
      'gpt-4o-mini': {
        calls: 2,
        inputTokens: 1900,
        outputTokens: 50,
        cachedInputTokens: 0,
        costUsd: 0.01,
        unpricedCalls: 1,
      },
    });
  });

  it('leaves a thread without usage (runs recorded before it) with no usage in its state', () => {
    const stamp = eventFactory();
    const state = replay([
      stamp({ type: 'run_started', agent: 'deploybot', maxSteps: 9 }),
      stamp({ type: 'tool_call', callId: 'c1', tool: 'x', kind: 'immediate', args: {} }),
    ]);
    expect(state).not.toHaveProperty('usage');
  });

  it("keeps a run's totals when it continues as new, however long its thread", () => {
    const priced = fc
      .record({
        model: fc.constantFrom('gpt-4o-mini', 'o3', 'local'),
        inputTokens: fc.nat(5000),
        outputTokens: fc.nat(500),
        cachedInputTokens: fc.nat(1000),
        costUsd: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
      })
      .map(({ costUsd, ...counts }) => ({ ...counts, ...(costUsd !== undefined && { costUsd }) }));
    const step = fc.oneof(
      priced.map((usage): NewEvent => ({
        type: 'tool_call',
        callId: 'c',
        tool: 'list_releases',
        kind: 'immediate',
        args: {},
        usage,
      })),
      priced.map((usage): NewEvent => ({
        type: 'error',
        source: 'model',
        errorType: 'ModelOutputError',
        code: 'no_tool_call',
        message: 'x',
        usage,
      })),
      fc.constant<NewEvent>({
        type: 'tool_result',
        callId: 'c',
        tool: 'list_releases',
        output: '[]',
        truncated: false,
      }),
    );
    fc.assert(
      fc.property(
        fc.array(step, { minLength: 0, maxLength: 150 }),
        fc.array(step, { maxLength: 40 }),
        (first, later) => {
          const stamp = eventFactory();
          const events: ThreadEvent[] = [
            stamp({ type: 'run_started', agent: 'deploybot', maxSteps: 500 }),
            stamp({ type: 'user_message', text: 'go' }),
            ...first.map(stamp),
          ];
          const carried = carryThread(events, { id: 'note', at: '2025-01-02T00:00:00.000Z', runId: 'r1' }, 10);
          const continued = [...carried, ...later.map(stamp)];
          expect(replay(continued).usage).toEqual(replay([...events, ...later.map(stamp)]).usage);
        },
      ),
      { numRuns: 150 },
    );
  });
});
