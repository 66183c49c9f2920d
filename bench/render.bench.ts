// `npm run bench:render`: what rendering the model's input costs as a thread grows (issue 12, item 4).
// A 300-step DeployBot thread with no continue-as-new (each step: a tool call and its result, the
// outputs different every time); times renderModelInput before each step, in one process, as the
// worker does, and prints steps 1-10 vs 291-300. Prints figures; asserts nothing.
import { findAgent } from '../agents';
import { renderModelInput } from '../core/model-input';
import type { ThreadEvent } from '../core/thread';

const STEPS = 300;

function stepEvents(step: number): ThreadEvent[] {
  const at = new Date(Date.UTC(2026, 0, 1, 0, 0, step)).toISOString();
  const callId = `call_${step}`;
  const releases = Array.from({ length: 4 }, (_unused, index) => ({
    sha: `${(step * 7919 + index).toString(16).padStart(40, '0')}`,
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

/** Milliseconds to render the input of each step, the thread growing by one step each time. */
export function renderTimes(steps = STEPS): number[] {
  const agent = findAgent('deploybot')!;
  const events: ThreadEvent[] = [
    { id: 'start', at: '2026-01-01T00:00:00.000Z', type: 'run_started', agent: 'deploybot', maxSteps: steps + 5 },
    {
      id: 'task',
      at: '2026-01-01T00:00:00.000Z',
      type: 'user_message',
      text: 'list the releases until told otherwise',
    },
  ] as ThreadEvent[];
  renderModelInput(agent, events); // loads the tokenizer once, as a worker does at its first render
  const times: number[] = [];
  for (let step = 1; step <= steps; step++) {
    const started = performance.now();
    renderModelInput(agent, events);
    times.push(performance.now() - started);
    events.push(...stepEvents(step));
  }
  return times;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

if (require.main === module) {
  const times = renderTimes();
  const [first, last] = [median(times.slice(0, 10)), median(times.slice(-10))];
  console.log(
    `render time per step (${STEPS} steps, one thread, median of ten): steps 1-10 ${first.toFixed(2)} ms, 291-300 ${last.toFixed(2)} ms, ratio ${(last / first).toFixed(2)}`,
  );
}
