import { defineAgent } from '../../core/agent';
import { replay } from '../../core/reducer';
import { AgentWorkflowInput } from '../../core/run';
import {
  budgetOverrun,
  initialBudgetState,
  runBudgetFor,
  SPEND_LIMIT_BOUNDS,
  type BudgetState,
} from '../../core/spend-budget';
import type { ThreadEvent } from '../../core/thread';
import { describeWaiting } from '../../core/waiting';
import { addCall, type UsageTotals } from '../../core/usage';
import { deploybot } from '../../agents/deploybot';

const call = (tokens: number, costUsd?: number) => ({
  model: 'm',
  inputTokens: tokens - 10,
  outputTokens: 10,
  cachedInputTokens: 0,
  ...(costUsd === undefined ? {} : { costUsd }),
});

function after(budget: BudgetState, ...calls: ReturnType<typeof call>[]): [BudgetState, UsageTotals | undefined] {
  let usage: UsageTotals | undefined;
  for (const each of calls) usage = addCall(usage, each);
  const last = calls.at(-1);
  const lastCall = last ? { tokens: last.inputTokens + last.outputTokens, costUsd: last.costUsd ?? 0 } : undefined;
  return [{ ...budget, ...(lastCall ? { lastCall } : {}) }, usage];
}

describe('budgetOverrun (when the next model call would pass the budget)', () => {
  const budget = initialBudgetState({ maxTokens: 1_000 });

  test('the first call of a run is always allowed: nothing is spent and nothing to estimate from', () => {
    expect(budgetOverrun(...after(budget))).toBeNull();
  });

  test('a call is allowed while the spend plus the last call (the estimate) stays within the window', () => {
    expect(budgetOverrun(...after(budget, call(200), call(300)))).toBeNull(); // 500 + 300 <= 1000
    expect(budgetOverrun(...after(budget, call(400), call(500)))).toMatchObject({
      window: 1,
      spent: { tokens: 900 },
      next: { tokens: 500 },
    });
  });

  test('a spend that reached the allowance asks whatever the estimate', () => {
    const [spent, usage] = after(budget, call(1_000));
    expect(budgetOverrun({ ...spent, lastCall: { tokens: 0, costUsd: 0 } }, usage)).not.toBeNull();
  });

  test('window n allows n times the limit, carried spend included', () => {
    const second = { ...initialBudgetState({ maxTokens: 1_000, carried: { tokens: 1_200, costUsd: 0, windows: 2 } }) };
    expect(budgetOverrun(...after(second, call(300)))).toBeNull(); // 1500 + 300 <= 2000
    expect(budgetOverrun(...after(second, call(300), call(300)))).toMatchObject({
      window: 2,
      spent: { tokens: 1_800 },
    });
  });

  test('maxCostUsd counts the priced cost the same way', () => {
    const dollars = initialBudgetState({ maxCostUsd: 0.01 });
    expect(budgetOverrun(...after(dollars, call(100, 0.004)))).toBeNull();
    expect(budgetOverrun(...after(dollars, call(100, 0.004), call(100, 0.004)))?.reason).toBe(
      'budget window 1 is used up: $0.008 of $0.01 spent, the next call costs about $0.004',
    );
  });
});

describe('budget limits are bounded', () => {
  const start = (extra: Record<string, unknown>) =>
    AgentWorkflowInput.safeParse({ agent: 'deploybot', message: 'go', ...extra }).success;

  test.each([
    ['negative tokens', { maxTokens: -1 }],
    ['zero tokens', { maxTokens: 0 }],
    ['fractional tokens', { maxTokens: 1.5 }],
    ['NaN tokens', { maxTokens: Number.NaN }],
    ['tokens past the bound', { maxTokens: SPEND_LIMIT_BOUNDS.maxTokens + 1 }],
    ['infinite dollars', { maxCostUsd: Number.POSITIVE_INFINITY }],
    ['negative dollars', { maxCostUsd: -0.5 }],
    ['dollars as text', { maxCostUsd: '5' }],
    ['a carried spend below zero', { maxTokens: 10, budgetCarried: { tokens: -100, costUsd: 0, windows: 1 } }],
    ['zero carried windows', { maxTokens: 10, budgetCarried: { tokens: 0, costUsd: 0, windows: 0 } }],
  ])('a run input with %s is refused', (_name, extra) => {
    expect(start(extra)).toBe(false);
  });

  test('an agent definition with a bad budget is refused with its name', () => {
    expect(() => defineAgent({ ...deploybot, name: 'spender', maxTokens: -3 })).toThrow(
      'Agent "spender" budget is invalid',
    );
  });

  test("a run may lower the agent's limits, never raise them; either sets a field alone; neither set: no budget", () => {
    expect(runBudgetFor({ maxTokens: 100, maxCostUsd: 1 }, { maxTokens: 1e9, maxCostUsd: 0.5 })).toEqual({
      maxTokens: 100,
      maxCostUsd: 0.5,
    });
    expect(runBudgetFor({ maxTokens: 100 }, { maxCostUsd: 2 })).toEqual({ maxTokens: 100, maxCostUsd: 2 });
    expect(runBudgetFor({}, {})).toBeUndefined();
  });
});

test('the reducer records the budget from run_started and moves to the granted window', () => {
  const at = '2026-01-01T00:00:00.000Z';
  const events: ThreadEvent[] = [
    { id: '1', at, type: 'run_started', agent: 'deploybot', maxSteps: 5, budget: { maxTokens: 100 } },
    {
      id: '2',
      at,
      type: 'budget_exhausted',
      requestId: 'r1',
      window: 1,
      spent: { tokens: 100, costUsd: 0 },
      next: { tokens: 50, costUsd: 0 },
      limits: { maxTokens: 100 },
      argsDigest: 'sha256:x',
      reason: 'used up',
    },
  ];
  expect(describeWaiting('run-1', replay(events))).toContain(
    'Waits for approval of request r1: another budget window (used up); reject stops the run (sha256:x).\nAnswer with one of:\n- `tfa approve run-1 --request-id r1 --by <you>`',
  );
  expect(replay(events)).toMatchObject({
    status: 'awaiting_approval',
    pending: { kind: 'budget', requestId: 'r1', window: 1, argsDigest: 'sha256:x' },
    budget: { window: 1 },
  });
  const granted = replay([
    ...events,
    { id: '3', at, type: 'approval_granted', requestId: 'r1', by: 'alice', budgetWindow: 2 },
  ]);
  expect(granted).toMatchObject({ status: 'running', pending: null, budget: { window: 2 } });
});
