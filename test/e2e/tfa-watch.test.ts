// Issue 17, item 5: `tfa watch` prints each event of a run once, in order, as it lands, and exits with the run.
import { AGENT_WORKFLOW_TYPE } from '../../core/constants';
import type { ThreadEvent } from '../../core/thread';
import { formatEventLine } from '../../client/format-status';
import { callTool } from '../../scripts/scripted-model/server';
import { approveSignal, threadQuery } from '../../workflows/messages';
import { startPipeline, testsPassThenDeploy } from '../support/deploy-pipeline';
import { runTfa, spawnTfa, type RunningTfa } from '../support/tfa-command';
import { testServerAddress } from '../support/test-server';
import { eventually, startHarness, type Harness } from '../support/workflow-harness';

jest.setTimeout(180_000);

let harness: Harness;
let watch: RunningTfa | undefined;
afterEach(async () => {
  watch?.kill();
  watch = undefined;
  await harness?.close();
});

const env = () => ({ TEMPORAL_ADDRESS: testServerAddress(), TFA_TASK_QUEUE: harness.taskQueue });

/** Waits until the watch has printed a line matching `pattern` (it prints as the run moves; the run waits for the test). */
const printed = (pattern: RegExp) =>
  eventually(
    () => watch!.lines.find((line) => pattern.test(line)),
    60_000,
    () => `${watch!.lines.join('\n')}\n${watch!.stderr()}`,
  );

/** The lines `tfa watch` prints for these thread events, in order. */
const eventLines = (workflowId: string, events: readonly ThreadEvent[], label = '') =>
  events.flatMap((event) => {
    const line = formatEventLine(workflowId, event);
    return line ? [`${label}${line}`] : [];
  });

test('tfa watch prints every event of a run once and in order as it lands, and exits 0 when the run completes', async () => {
  harness = await startHarness({
    script: [
      callTool('list_releases', { environment: 'production' }),
      callTool('deploy_to_production', { ref: 'main' }),
      callTool('done_for_now', { message: 'deployed main' }),
    ],
  });
  const workflowId = `watch-agent-${Date.now()}`;
  const handle = await harness.client.workflow.start(AGENT_WORKFLOW_TYPE, {
    taskQueue: harness.taskQueue,
    workflowId,
    args: [{ agent: 'deploybot', message: 'deploy main to production' }],
  });
  watch = spawnTfa(['watch', workflowId], env());

  const asked = await printed(/<approval_requested /);
  const answer = await printed(/^ {2}answer: tfa approve /);
  expect(answer).toMatch(new RegExp(`tfa approve ${workflowId} --request-id \\S+ --by <you>`));
  const listed = watch.lines.findIndex((line) => /<tool_result tool='list_releases'>/.test(line));
  expect(listed).toBeGreaterThanOrEqual(0);
  expect(listed).toBeLessThan(watch.lines.indexOf(asked));
  await handle.signal(approveSignal, { by: 'alice' });

  expect(await watch.exited).toBe(0);
  const { events } = await handle.query(threadQuery);
  const shown = watch.lines.filter((line) => !line.startsWith('  answer: '));
  expect(shown).toEqual([...eventLines(workflowId, events), `run ${workflowId} ended: completed`]);
});

test('tfa watch of a pipeline prints each child as it starts and its events labelled by agent, then the outcome', async () => {
  harness = await startHarness();
  const sha = await harness.fixture.sha('main');
  harness.model.enqueue(...testsPassThenDeploy(sha));
  const pipeline = await startPipeline(harness, 'main', `watch-pipeline-${Date.now()}`);
  watch = spawnTfa(['watch', pipeline.workflowId], env());

  await printed(/^\[deployer\] .*<approval_requested /);
  const deployer = harness.client.workflow.getHandle(`${pipeline.workflowId}-deploy`);
  await deployer.signal(approveSignal, { by: 'alice' });

  expect(await watch.exited).toBe(0);
  const tester = await harness.client.workflow.getHandle(`${pipeline.workflowId}-tests`).query(threadQuery);
  const deployed = await deployer.query(threadQuery);
  const shown = watch.lines.filter((line) => !line.includes('  answer: '));
  expect(shown).toEqual([
    `[tester] started ${pipeline.workflowId}-tests`,
    ...eventLines(`${pipeline.workflowId}-tests`, tester.events, '[tester] '),
    '[tester] ended: completed',
    `[deployer] started ${pipeline.workflowId}-deploy`,
    ...eventLines(`${pipeline.workflowId}-deploy`, deployed.events, '[deployer] '),
    '[deployer] ended: completed',
    expect.stringMatching(new RegExp(`^run ${pipeline.workflowId} ended: deployed \\(`)),
  ]);
});

test('tfa watch exits 2 when the run ends without succeeding, naming how it ended', async () => {
  harness = await startHarness({ script: [callTool('list_releases', { environment: 'production' })] });
  const workflowId = `watch-limit-${Date.now()}`;
  await harness.client.workflow.start(AGENT_WORKFLOW_TYPE, {
    taskQueue: harness.taskQueue,
    workflowId,
    args: [{ agent: 'deploybot', message: 'list what production runs', maxSteps: 1 }],
  });
  watch = spawnTfa(['watch', workflowId], env());
  expect(await watch.exited).toBe(2);
  expect(watch.lines.at(-1)).toMatch(new RegExp(`^run ${workflowId} ended: max_steps_reached`));
});

test('tfa watch of a run that failed before it had a thread ends with its failure and exits 2', async () => {
  harness = await startHarness();
  const workflowId = `watch-failed-${Date.now()}`;
  const handle = await harness.client.workflow.start(AGENT_WORKFLOW_TYPE, {
    taskQueue: harness.taskQueue,
    workflowId,
    args: [{ agent: 'nosuch', message: 'hi' }],
  });
  await handle.result().catch(() => undefined);
  watch = spawnTfa(['watch', workflowId], env());
  expect(await watch.exited).toBe(2);
  expect(watch.lines).toEqual([`run ${workflowId} ended: failed (Unknown agent "nosuch".)`]);
});

test('tfa watch of an unknown run says so and exits 1', async () => {
  harness = await startHarness();
  const outcome = await runTfa(['watch', 'no-such-run-anywhere'], env());
  expect(outcome.code).toBe(1);
  expect(outcome.stdout).toBe('');
  expect(outcome.stderr).toContain(
    'tfa: no run no-such-run-anywhere in namespace default: `tfa list` shows the runs there are',
  );
});
