// The worker's workflow cache is bounded: runs waiting for a person are evicted and replay when they resume.
import { parseConfig } from '../../core/config';
import { AGENT_WORKFLOW_TYPE } from '../../core/constants';
import type { AgentRunResult } from '../../core/run';
import { callTool } from '../../scripts/scripted-model/server';
import { approveSignal } from '../../workflows/messages';
import { eventually, startHarness, waitForState } from '../support/workflow-harness';

test('TFA_MAX_CACHED_WORKFLOWS sets how many runs a worker caches; unset leaves the default to the worker', () => {
  expect(parseConfig({ TFA_MAX_CACHED_WORKFLOWS: '64' }).TFA_MAX_CACHED_WORKFLOWS).toBe(64);
  expect(parseConfig({}).TFA_MAX_CACHED_WORKFLOWS).toBeUndefined();
});

test.each([
  ['1', 'keep at least 2 runs cached'],
  ['many', 'use a whole number of runs'],
  ['2.5', 'use a whole number of runs'],
])('TFA_MAX_CACHED_WORKFLOWS=%s is refused, naming the variable: %s', (value, message) => {
  expect(() => parseConfig({ TFA_MAX_CACHED_WORKFLOWS: value })).toThrow(`TFA_MAX_CACHED_WORKFLOWS: ${message}`);
});

test('runs waiting for approval beyond the cache are evicted, and each resumes and finishes when approved', async () => {
  const runs = 4;
  const cached = 2;
  const { client, model, taskQueue, worker, close } = await startHarness({ maxCachedWorkflows: cached });
  try {
    const handles = [];
    for (let run = 0; run < runs; run++) {
      model.enqueue(callTool('deploy_to_production', { ref: 'main' }));
      const handle = await client.workflow.start(AGENT_WORKFLOW_TYPE, {
        taskQueue,
        workflowId: `cache-${run}-${Date.now()}`,
        args: [{ agent: 'deploybot', message: 'deploy main' }],
      });
      await waitForState(handle, (state) => state.status === 'awaiting_approval', 60_000);
      handles.push(handle);
    }
    await eventually(() => worker.getStatus().numCachedWorkflows <= cached, 20_000);
    model.enqueue(...handles.map(() => callTool('done_for_now', { message: 'deployed' })));
    for (const handle of handles) await handle.signal(approveSignal, { by: 'alice' });
    const results = await Promise.all(handles.map((handle) => handle.result() as Promise<AgentRunResult>));
    expect(results.map((result) => result.status)).toEqual(handles.map(() => 'completed'));
  } finally {
    await close();
  }
});
