import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { AGENT_WORKFLOW_TYPE } from '../../core/constants';
import { approveSignal } from '../../workflows/messages';
import { createDeployFixture, type DeployFixture } from '../support/deploy-fixture';
import { startScriptedModelServer, type ScriptedModelServer } from '../../scripts/scripted-model/server';
import { testServerAddress } from '../support/test-server';
import { waitForState } from '../support/workflow-harness';
import { scriptedDeployEnv, startWorkerProcess, type WorkerProcess } from '../faults/worker-process';

let model: ScriptedModelServer;
let fixture: DeployFixture;
let connection: Connection;
const workers: WorkerProcess[] = [];

afterEach(async () => {
  await Promise.all(workers.map((worker) => worker.kill()));
  await Promise.all([model?.close(), fixture?.cleanup(), connection?.close()]);
});

/** The production worker entry (`worker/main.ts`) in its own process, configured only by environment. */
async function startMainWorker(taskQueue: string): Promise<WorkerProcess> {
  const env = {
    TEMPORAL_ADDRESS: testServerAddress(),
    TFA_TASK_QUEUE: taskQueue,
    ...scriptedDeployEnv(model.baseURL, fixture),
  };
  const worker = await startWorkerProcess(env, { entry: 'worker/main.ts' });
  workers.push(worker);
  return worker;
}

test('a run survives its worker being killed mid-run and resumes without redoing any step', async () => {
  model = await startScriptedModelServer({
    script: [
      { toolCall: { name: 'deploy_to_staging', arguments: { ref: 'main' } } },
      { toolCall: { name: 'run_tests', arguments: { environment: 'staging' } } },
      { toolCall: { name: 'deploy_to_production', arguments: { ref: 'main' } } },
      { toolCall: { name: 'done_for_now', arguments: { message: 'deployed after a crash' } } },
    ],
  });
  fixture = await createDeployFixture();
  connection = await Connection.connect({ address: testServerAddress() });
  const client = new Client({ connection });
  const taskQueue = `crash-${Date.now()}`;
  const first = await startMainWorker(taskQueue);
  const handle = await client.workflow.start(AGENT_WORKFLOW_TYPE, {
    taskQueue,
    workflowId: `crash-${Date.now()}`,
    args: [{ agent: 'deploybot', message: 'deploy main to production' }],
  });
  await waitForState(handle, (state) => state.status === 'awaiting_approval');

  await first.kill(); // no graceful shutdown: the worker process just dies
  await startMainWorker(taskQueue);
  await handle.signal(approveSignal, { by: 'erin' });

  expect(await handle.result()).toMatchObject({ status: 'completed', result: { message: 'deployed after a crash' } });
  expect(model.requests).toHaveLength(4); // each decision asked once: nothing restarted from step one
  const stagingHistory = await readFile(path.join(fixture.root, 'staging', 'history.jsonl'), 'utf8');
  expect(stagingHistory.trim().split('\n')).toHaveLength(1);
}, 90_000);
