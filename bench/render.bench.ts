// `npm run bench:render`: what the model's input costs to plan and render at each step as a thread
// grows (issue 12, item 4). A 300-step DeployBot thread with no continue-as-new (each step: a tool
// call and its result, the outputs different every time), one process. Each step does what a run
// does: the workflow's planner takes in the new events with the state the run holds, the local
// activity counts the texts it asks for (on copies, as they cross to the activity), and the planner
// renders. Then `tfa model-input`'s render of the same prefixes from scratch, for comparison. Prints
// steps 1-10 vs 291-300; asserts nothing.
import { findAgent } from '../agents';
import { ContextPlanner } from '../core/context-planner';
import { renderModelInput } from '../core/model-input';
import { agentInstructions, contextTokenBudget } from '../core/model-input-render';
import { initialState, reduce } from '../core/reducer';
import type { ThreadEvent } from '../core/thread';
import { countTokensO200k } from '../core/tokens';

const STEPS = 300;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** A step's call and result; `round` makes the outputs of each measured round new, as a worker's new runs are. */
function stepEvents(step: number, round = 0): ThreadEvent[] {
  const at = new Date(Date.UTC(2026, 0, 1, 0, 0, step)).toISOString();
  const callId = `call_${step}`;
  const releases = Array.from({ length: 4 }, (_unused, index) => ({
    sha: `${((round * 1000 + step) * 7919 + index).toString(16).padStart(40, '0')}`,
    current: index === 0,
  }));
  return [
    {
      id: `c${step}`,
      at,
      type: 'tool_call',
      callId,
      tool: 'list_releases',
      kind: 'immediate',
      args: { environment: step % 2 ? 'staging' : 'production' },
    },
    {
      id: `r${step}`,
      at,
      type: 'tool_result',
      callId,
      tool: 'list_releases',
      output: JSON.stringify(releases),
      truncated: false,
    },
  ] as ThreadEvent[];
}

function startEvents(steps: number): ThreadEvent[] {
  return [
    { id: 'start', at: '2026-01-01T00:00:00.000Z', type: 'run_started', agent: 'deploybot', maxSteps: steps + 5 },
    {
      id: 'task',
      at: '2026-01-01T00:00:00.000Z',
      type: 'user_message',
      text: 'list the releases until told otherwise',
    },
  ] as ThreadEvent[];
}

/** Rounds of the whole thread, each on new outputs: a step's figure is its median over the rounds. */
const ROUNDS = 5;

/**
 * Milliseconds per step as a run plans and renders the model's input, the thread growing by one step
 * each time: each step's median over ROUNDS rounds. A round of 30 steps goes first, unmeasured: a
 * worker's code is warm after its first runs.
 */
export function renderTimes(steps = STEPS): number[] {
  plannedTimes(30, ROUNDS);
  const rounds = Array.from({ length: ROUNDS }, (_unused, round) => plannedTimes(steps, round));
  return rounds[0]!.map((_time, step) => median(rounds.map((times) => times[step]!)));
}

function plannedTimes(steps: number, round: number): number[] {
  const agent = findAgent('deploybot')!;
  const events = startEvents(steps);
  let state = events.reduce(reduce, initialState);
  countTokensO200k('warm'); // the tokenizer loads once per worker, before the first step
  const planner = new ContextPlanner();
  const times: number[] = [];
  for (let step = 1; step <= steps; step++) {
    const started = performance.now();
    planner.update(events, state);
    const texts = structuredClone(planner.uncountedTexts());
    planner.learn(structuredClone(texts.map(countTokensO200k)));
    const input = { instructions: agentInstructions(agent), context: planner.render(contextTokenBudget(agent)) };
    times.push(performance.now() - started);
    if (step % 50 === 0 && renderModelInput(agent, events).context !== input.context)
      throw new Error(`step ${step}: the planner and a render from scratch differ`);
    for (const event of stepEvents(step, round)) {
      events.push(event);
      state = reduce(state, event);
    }
  }
  return times;
}

/** Milliseconds per step of `tfa model-input`'s render of the same prefixes, from scratch. */
export function fromScratchTimes(steps = STEPS): number[] {
  const agent = findAgent('deploybot')!;
  for (let step = 0; step < 30; step++) renderModelInput(agent, [...startEvents(30), ...stepEvents(step)]);
  const events = startEvents(steps);
  countTokensO200k('warm');
  const times: number[] = [];
  for (let step = 1; step <= steps; step++) {
    const started = performance.now();
    renderModelInput(agent, events);
    times.push(performance.now() - started);
    events.push(...stepEvents(step));
  }
  return times;
}

/** Medians of steps 1-10 and of the last ten, and their ratio. */
export function firstAndLast(times: number[]): { firstTenMs: number; lastTenMs: number; lastToFirstRatio: number } {
  const [first, last] = [median(times.slice(0, 10)), median(times.slice(-10))];
  return { firstTenMs: first, lastTenMs: last, lastToFirstRatio: last / first };
}

if (require.main === module) {
  const show = (what: string, times: number[]) => {
    const { firstTenMs, lastTenMs, lastToFirstRatio } = firstAndLast(times);
    console.log(
      `${what} (${STEPS} steps, one thread, median of ten): steps 1-10 ${firstTenMs.toFixed(3)} ms, ${STEPS - 9}-${STEPS} ${lastTenMs.toFixed(3)} ms, ratio ${lastToFirstRatio.toFixed(2)}`,
    );
  };
  show('per step, as a run plans and renders', renderTimes());
  show('from scratch (tfa model-input)', fromScratchTimes());
}
