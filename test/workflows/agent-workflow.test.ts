import { readlink } from 'node:fs/promises';
import path from 'node:path';
import { AGENT_WORKFLOW_TYPE } from '../../core/constants';
import type { AgentRunResult } from '../../core/run';
import { approveSignal, rejectSignal, threadQuery } from '../../workflows/messages';
import { eventually, startHarness, waitForState, type Harness } from '../support/workflow-harness';
import { callTool } from '../../scripts/scripted-model/server';

let harness: Harness;
afterEach(async () => harness?.close());

function start(message: string, extra: Record<string, unknown> = {}) {
  return harness.client.workflow.start(AGENT_WORKFLOW_TYPE, {
    taskQueue: harness.taskQueue,
    workflowId: `test-${expect.getState().currentTestName?.replace(/\W+/g, '-')}-${Date.now()}`,
    args: [{ agent: 'deploybot', message, ...extra }],
  });
}

test('deploys to staging, tests, waits for approval, deploys to production and finishes', async () => {
  harness = await startHarness({
    script: [
      callTool('deploy_to_staging', { ref: 'main' }),
      callTool('run_tests', { environment: 'staging' }),
      callTool('deploy_to_production', { ref: 'main' }),
      callTool('done_for_now', { message: 'main is live' }),
    ],
  });
  const handle = await start('deploy main to production');
  const waiting = await waitForState(handle, (state) => state.status === 'awaiting_approval');
  expect(waiting.pending).toMatchObject({ kind: 'approval', tool: 'deploy_to_production', args: { ref: 'main' } });
  const notice = await eventually(() => harness.notifications.find((text) => text.includes('--name approve')));
  expect(notice).toContain(`temporal workflow signal --workflow-id ${handle.workflowId} --name approve`);

  await handle.signal(approveSignal, { by: 'alice', comment: 'ship it' });
  const result: AgentRunResult = await handle.result();

  expect(result).toEqual({
    status: 'completed',
    result: { message: 'main is live' },
    reason: null,
    steps: 4,
    usage: expect.any(Object),
  });
  const sha = await harness.fixture.sha('main');
  for (const environment of ['staging', 'production']) {
    expect(await readlink(path.join(harness.fixture.root, environment, 'current'))).toContain(sha);
  }
  const { events } = await handle.query(threadQuery);
  expect(events.map((event) => event.type)).toEqual([
    'run_started',
    'user_message',
    'context_loaded',
    'context_loaded',
    'tool_call',
    'tool_result',
    'tool_call',
    'tool_result',
    'tool_call',
    'approval_requested',
    'approval_granted',
    'tool_result',
    'tool_call',
    'done',
  ]);
  const testResult = events.find((event) => event.type === 'tool_result' && event.tool === 'run_tests');
  expect(testResult).toMatchObject({ output: expect.stringContaining('"passed":true') });
});

test('a rejection reason reaches the model, which adapts without deploying to production', async () => {
  harness = await startHarness({
    script: [
      callTool('deploy_to_production', { ref: 'main' }),
      callTool('done_for_now', { message: 'Stopped: production is frozen' }),
    ],
  });
  const handle = await start('deploy main to production');
  await waitForState(handle, (state) => state.status === 'awaiting_approval');
  await handle.signal(rejectSignal, { by: 'bob', reason: 'production is frozen until Monday' });
  const result = await handle.result();

  expect(result.status).toBe('completed');
  const secondPrompt = JSON.stringify(harness.model.requests[1]!.body.messages);
  expect(secondPrompt).toContain('production is frozen until Monday');
  await expect(readlink(path.join(harness.fixture.root, 'production', 'current'))).rejects.toThrow();
});
