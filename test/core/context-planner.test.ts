import fc from 'fast-check';
import { MIN_CONTEXT_TOKEN_BUDGET } from '../../core/constants';
import { renderContext } from '../../core/context';
import { ContextPlanner } from '../../core/context-planner';
import { replay } from '../../core/reducer';
import type { NewEvent, ThreadEvent } from '../../core/thread';
import { countTokensO200k } from '../../core/tokens';
import { anyThread, eventFactory } from './support/events';

const anyBudget = fc.integer({ min: 0, max: 8_000 });

function planned(planner: ContextPlanner, events: readonly ThreadEvent[], budget: number): string {
  planner.update(events, replay(events));
  planner.countWith(countTokensO200k);
  return planner.render(budget);
}

const reference = (events: readonly ThreadEvent[], tokenBudget: number) =>
  renderContext(replay(events), events, { tokenBudget, countTokens: countTokensO200k });

/** Steps `from`..`to` of a steady run: a list_releases call and its result, each output new. */
function steps(from: number, to: number): NewEvent[] {
  const events: NewEvent[] = [];
  for (let step = from; step <= to; step++) {
    const releases = Array.from({ length: 4 }, (_unused, index) => ({
      sha: (step * 7919 + index).toString(16).padStart(40, 'a'),
      current: index === 0,
    }));
    const callId = `c${step}`;
    events.push(
      { type: 'tool_call', callId, tool: 'list_releases', kind: 'immediate', args: { environment: 'staging' } },
      { type: 'tool_result', callId, tool: 'list_releases', output: JSON.stringify(releases), truncated: false },
    );
  }
  return events;
}

function thread(...events: NewEvent[]): ThreadEvent[] {
  const start: NewEvent[] = [
    { type: 'run_started', agent: 'deploybot', maxSteps: 400 },
    { type: 'user_message', text: 'list the releases until told otherwise', by: 'alice' },
  ];
  return [...start, ...events].map(eventFactory());
}

const steadyThread = (count: number) => thread(...steps(1, count));

describe('ContextPlanner', () => {
  it('renders what renderContext renders with the o200k counter, for any thread and budget', () => {
    fc.assert(
      fc.property(anyThread(80), anyBudget, (events, budget) => {
        expect(planned(new ContextPlanner(), events, budget)).toBe(reference(events, budget));
      }),
      { numRuns: 150 },
    );
  });

  it('planned step by step, renders at each step what a fresh plan of the same events renders', () => {
    fc.assert(
      fc.property(anyThread(60), fc.array(fc.nat(), { maxLength: 8 }), anyBudget, (events, cuts, budget) => {
        const planner = new ContextPlanner();
        const ends = [...cuts.map((cut) => 1 + (cut % events.length)).sort((a, b) => a - b), events.length];
        for (const end of ends) {
          const prefix = events.slice(0, end);
          expect(planned(planner, prefix, budget)).toBe(reference(prefix, budget));
        }
      }),
      { numRuns: 150 },
    );
  });

  it('meets a budget of at least MIN_CONTEXT_TOKEN_BUDGET on a long steady run, dropping the oldest steps', () => {
    const events = steadyThread(300);
    const context = planned(new ContextPlanner(), events, MIN_CONTEXT_TOKEN_BUDGET);
    expect(countTokensO200k(context)).toBeLessThanOrEqual(MIN_CONTEXT_TOKEN_BUDGET);
    expect(context).toMatch(/<elided events='\d+'\/>/);
    expect(context).toBe(reference(events, MIN_CONTEXT_TOKEN_BUDGET));
  });

  it('does the same work at step 300 as at step 10: it indexes and counts only the new events and walks no edit list', () => {
    const events = steadyThread(300);
    const planner = new ContextPlanner();
    let context = '';
    const workAt = (step: number) => {
      context = planned(planner, events.slice(0, 2 + 2 * step), 3_000);
      return planner.work;
    };
    for (let step = 1; step < 10; step++) workAt(step);
    const atTen = workAt(10);
    for (let step = 11; step < 300; step++) workAt(step);
    const atThreeHundred = workAt(300);
    expect(atThreeHundred.itemsIndexed).toBe(atTen.itemsIndexed);
    expect(atThreeHundred.textsCounted).toBe(atTen.textsCounted);
    expect(atThreeHundred.valuesUpdated).toBe(atTen.valuesUpdated);
    // It reads only the lines it shows, as many as the budget holds.
    const shown = context.split('\n').filter((line) => /^ {2}<(?!elided )/.test(line));
    expect(atThreeHundred.linesRendered).toBe(shown.length);
  });

  it('asks only for the frame and the new events’ lines once their lines are counted', () => {
    const events = steadyThread(20);
    const planner = new ContextPlanner();
    planned(planner, events.slice(0, 40), 3_000);
    planner.update(events.slice(0, 42), replay(events.slice(0, 42)));
    const texts = planner.uncountedTexts();
    expect(texts[0]).toMatch(/^<system_state step='21'/);
    expect(texts.slice(1).every((text) => /^ {2}<tool_(call|result) /.test(text))).toBe(true);
    expect(texts.length).toBeLessThanOrEqual(4); // the call, the result whole and cut, and the frame
  });

  it('compacts the whole log again when an error folds into an earlier one, keeping the counts it has', () => {
    const error: NewEvent = {
      type: 'error',
      source: 'tool',
      errorType: 'ToolExecutionError',
      message: 'boom',
      tool: 'run_tests',
    };
    const events = thread(...steps(1, 10), error, ...steps(11, 12), error);
    const planner = new ContextPlanner();
    planned(planner, events.slice(0, -1), 3_000);
    const context = planned(planner, events, 3_000);
    expect(planner.work.itemsIndexed).toBe(events.length - 2); // all but run_started and the folded error
    expect(planner.work.textsCounted).toBe(2); // the frame, and the error's line now with count='2'
    expect(context).toContain("<error source='tool' code='ToolExecutionError' tool='run_tests' count='2'>boom</error>");
    expect(context).toBe(reference(events, 3_000));
  });

  it('refuses counts that do not match the texts it asked for', () => {
    const planner = new ContextPlanner();
    planner.update(steadyThread(1), replay(steadyThread(1)));
    expect(() => planner.learn([1])).toThrow(/1 counts for \d+ texts/);
  });
});
