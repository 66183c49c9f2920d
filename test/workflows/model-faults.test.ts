import { AGENT_WORKFLOW_TYPE } from '../../core/constants';
import { replySignal, threadQuery } from '../../workflows/messages';
import {
  eventsOfCompletedRun,
  eventually,
  startHarness,
  waitForState,
  type Harness,
} from '../support/workflow-harness';
import { callTool } from '../../scripts/scripted-model/server';

let harness: Harness;
afterEach(async () => harness?.close());

const done = callTool('done_for_now', { message: 'finished' });

function start(extra: Record<string, unknown> = {}) {
  return harness.client.workflow.start(AGENT_WORKFLOW_TYPE, {
    taskQueue: harness.taskQueue,
    workflowId: `faults-${Date.now()}-${Math.random().toString(36).slice(2)}`,
    args: [{ agent: 'deploybot', message: 'deploy main to staging', ...extra }],
  });
}

test('three invalid model outputs in a row make the run ask a human, whose reply lets it finish', async () => {
  harness = await startHarness({
    script: [
      callTool('launch_missiles', {}),
      callTool('deploy_to_staging', '{"ref": "main"'),
      callTool('run_tests', { environment: 'moon' }),
      done,
    ],
  });
  const handle = await start();
  const waiting = await waitForState(handle, (state) => state.status === 'needs_human');
  expect(waiting.consecutiveErrors).toBe(3);

  const { events } = await handle.query(threadQuery);
  const errors = events.filter((event) => event.type === 'error');
  expect(errors.map((event) => event.type === 'error' && [event.errorType, event.code])).toEqual([
    ['ModelOutputError', 'unknown_tool'],
    ['ModelOutputError', 'malformed_arguments'],
    ['ModelOutputError', 'invalid_arguments'],
  ]);
  // Each next step saw the earlier mistake in its context.
  expect(JSON.stringify(harness.model.requests[1]!.body.messages)).toContain('There is no tool \\"launch_missiles\\"');
  await eventually(() => harness.notifications.some((text) => text.includes('--name reply')));

  await handle.signal(replySignal, { by: 'alice', text: 'only use the listed tools' });
  expect(await handle.result()).toMatchObject({ status: 'completed', result: { message: 'finished' } });
});

test('a model that answers in text instead of a tool call gets an error event, not a crash', async () => {
  harness = await startHarness({ script: [{ text: 'I think we should deploy.' }, done] });
  const events = await eventsOfCompletedRun(await start());
  expect(events).toContainEqual(expect.objectContaining({ type: 'error', code: 'no_tool_call' }));
});

test('ends with max_steps_reached when the step limit runs out, never looping on', async () => {
  harness = await startHarness({
    script: [
      callTool('list_releases', { environment: 'staging' }),
      callTool('list_releases', { environment: 'staging' }),
      done,
    ],
  });
  const result = await (await start({ maxSteps: 2 })).result();
  expect(result).toEqual({
    status: 'max_steps_reached',
    result: null,
    reason: 'reached the limit of 2 steps without finishing',
    steps: 2,
    usage: expect.any(Object),
  });
  expect(harness.model.remaining()).toBe(1);
});

test('HTTP 429 and 500 from the model are retried by Temporal, then the run goes on', async () => {
  harness = await startHarness({ script: [{ status: 429 }, { status: 500 }, done] });
  const handle = await start();
  expect(await handle.result()).toMatchObject({ status: 'completed' });
  expect(harness.model.requests).toHaveLength(3);
  const { events } = await handle.query(threadQuery);
  expect(events.some((event) => event.type === 'error')).toBe(false);
});

test('HTTP 401 is not retried: it becomes one ConfigurationError event', async () => {
  harness = await startHarness({ script: [{ status: 401 }, done] });
  const handle = await start();
  expect(await handle.result()).toMatchObject({ status: 'completed' });
  expect(harness.model.requests).toHaveLength(2);
  const { events } = await handle.query(threadQuery);
  const error = events.find((event) => event.type === 'error');
  expect(error).toMatchObject({ errorType: 'ConfigurationError', message: expect.stringContaining('OPENAI_API_KEY') });
});

test('a failing tool goes back to the model as an error it can correct', async () => {
  harness = await startHarness({
    script: [
      callTool('deploy_to_staging', { ref: 'no-such-branch' }),
      callTool('deploy_to_staging', { ref: 'main' }),
      done,
    ],
  });
  const events = await eventsOfCompletedRun(await start());
  expect(events).toContainEqual(
    expect.objectContaining({
      type: 'error',
      source: 'tool',
      errorType: 'ToolExecutionError',
      tool: 'deploy_to_staging',
    }),
  );
  expect(JSON.stringify(harness.model.requests[1]!.body.messages)).toContain('no-such-branch');
});

test('a model call that times out, and a reply that is not JSON, are retried by Temporal like any transient failure', async () => {
  harness = await startHarness({ script: [{ delayMs: 6_000, then: done }, { malformedBody: true }, done] });
  const handle = await start();
  expect(await handle.result()).toMatchObject({ status: 'completed', result: { message: 'finished' } });
  expect(harness.model.requests).toHaveLength(3); // the client gives up after 5 s; attempts 2 and 3 follow with backoff
  const { events } = await handle.query(threadQuery);
  expect(events.some((event) => event.type === 'error')).toBe(false);
});
