import { createReleaseStore } from '../../activities/deploybot/release-store';
import { AGENT_WORKFLOW_TYPE } from '../../core/constants';
import type { AgentRunResult } from '../../core/run';
import type { ThreadSnapshot } from '../../workflows/messages';
import { threadQuery } from '../../workflows/messages';
import { FIXTURE_TEST_COMMAND } from '../support/deploy-fixture';
import { callTool } from '../../scripts/scripted-model/server';
import { startHarness, type Harness } from '../support/workflow-harness';

let harness: Harness;
afterEach(async () => harness?.close());

function startAgent(agent: string, message: string) {
  return harness.client.workflow.start(AGENT_WORKFLOW_TYPE, {
    taskQueue: harness.taskQueue,
    workflowId: `${agent}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`,
    args: [{ agent, message }],
  });
}

type ToolResultEvent = Extract<ThreadSnapshot['events'][number], { type: 'tool_result' }>;
const toolResult = (view: ThreadSnapshot, tool: string) =>
  view.events.find((event): event is ToolResultEvent => event.type === 'tool_result' && event.tool === tool);

/** Visibility is eventually consistent: wait until the runs are listed before reporting on them. */
async function waitUntilListed(workflowIds: string[]): Promise<void> {
  const query = `TaskQueue = '${harness.taskQueue}'`;
  for (let attempt = 0; attempt < 100; attempt++) {
    const listed = new Set<string>();
    for await (const run of harness.client.workflow.list({ query })) listed.add(run.workflowId);
    if (workflowIds.every((id) => listed.has(id))) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`runs ${workflowIds.join(', ')} never appeared in visibility`);
}

test('triage reads the real output of a failing suite and ends with the drafted issue', async () => {
  harness = await startHarness();
  const releases = createReleaseStore({
    repo: harness.fixture.repo,
    root: harness.fixture.root,
    testCommand: FIXTURE_TEST_COMMAND,
  });
  await releases.deploy({ environment: 'staging', ref: 'broken', operationId: 'deploy-broken' });
  expect(await releases.runTests({ environment: 'staging' })).toMatchObject({ passed: false });
  const issue = {
    title: 'default suite fails on staging',
    body: 'check failed: status.txt is not ok',
    labels: ['test-failure', 'default'],
  };
  harness.model.enqueue(
    callTool('list_test_runs', { environment: 'staging' }),
    callTool('read_test_output', { environment: 'staging', suite: 'default' }),
    callTool('draft_issue', issue),
  );

  const handle = await startAgent('triage', 'the default suite failed on staging; draft an issue');
  const result: AgentRunResult = await handle.result();

  expect(result).toEqual({ status: 'completed', result: issue, reason: null, steps: 3, usage: expect.any(Object) });
  const thread = await handle.query(threadQuery);
  expect(toolResult(thread, 'list_test_runs')).toMatchObject({
    output: expect.stringContaining('"suite":"default","sha":"' + (await harness.fixture.sha('broken'))),
  });
  expect(toolResult(thread, 'read_test_output')).toMatchObject({
    output: expect.stringContaining('status.txt is not ok'),
  });
});

test('triage is told, as a tool error, when the suite it asks for never ran', async () => {
  harness = await startHarness({
    script: [
      callTool('read_test_output', { environment: 'production', suite: 'default' }),
      callTool('draft_issue', { title: 'no test output', body: 'default never ran in production', labels: [] }),
    ],
  });
  const handle = await startAgent('triage', 'why did production tests fail?');
  expect(await handle.result()).toMatchObject({ status: 'completed', steps: 2 });
  const { events } = await handle.query(threadQuery);
  expect(events.find((event) => event.type === 'error')).toMatchObject({
    source: 'tool',
    errorType: 'ToolExecutionError',
    message: expect.stringContaining('No test run recorded for suite "default" in production.'),
  });
});

test('reporter lists the recent runs from Temporal visibility and ends with the published report', async () => {
  harness = await startHarness({ script: [callTool('finish_notifying', { message: 'nothing to send' })] });
  const completed = await startAgent('notifier', 'nothing failed');
  await completed.result();
  const failed = await startAgent('no-such-agent', 'this run fails at once');
  await expect(failed.result()).rejects.toThrow();
  await waitUntilListed([completed.workflowId, failed.workflowId]);
  const report = { summary: '2 runs: 1 completed, 1 failed', highlights: [`${failed.workflowId} failed`] };
  harness.model.enqueue(callTool('list_runs', { hours: 1 }), callTool('publish_report', report));

  const handle = await startAgent('reporter', 'summarise the last hour');
  const result = await handle.result();

  expect(result).toEqual({ status: 'completed', result: report, reason: null, steps: 2, usage: expect.any(Object) });
  const listed = JSON.parse(toolResult(await handle.query(threadQuery), 'list_runs')!.output);
  const byId = (id: string) => listed.runs.find((run: { workflowId: string }) => run.workflowId === id);
  expect(byId(completed.workflowId)).toMatchObject({
    type: 'agentWorkflow',
    executionStatus: 'COMPLETED',
    status: 'completed',
    closeTime: expect.any(String),
  });
  expect(byId(failed.workflowId)).toMatchObject({ type: 'agentWorkflow', executionStatus: 'FAILED' });
  expect(byId(handle.workflowId)).toMatchObject({ executionStatus: 'RUNNING', closeTime: null });
});
