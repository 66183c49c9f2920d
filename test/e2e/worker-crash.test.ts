import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { AGENT_WORKFLOW_TYPE } from '../../core/constants';
import { approveSignal } from '../../workflows/messages';
import { createDeployFixture, FIXTURE_TEST_COMMAND, type DeployFixture } from '../support/deploy-fixture';
import { startScriptedModelServer, type ScriptedModelServer } from '../../scripts/scripted-model/server';
import { testServerAddress } from '../support/test-server';
import { waitForState } from '../support/workflow-harness';

const root = path.resolve(__dirname, '../..');
let model: ScriptedModelServer;
let fixture: DeployFixture;
let connection: Connection;
const workers: ChildProcess[] = [];

/** tsx runs the worker in a child node process: kill the whole process group, or the worker lives on. */
function killHard(worker: ChildProcess): void {
  try {
    process.kill(-worker.pid!, 'SIGKILL');
  } catch {
    // already gone
  }
}

afterEach(async () => {
  for (const worker of workers) killHard(worker);
  await Promise.all([model?.close(), fixture?.cleanup(), connection?.close()]);
});

/** The production worker entry (`worker/main.ts`) in its own process, configured only by environment. */
function startWorkerProcess(taskQueue: string): Promise<ChildProcess> {
  const worker = spawn(path.join(root, 'node_modules/.bin/tsx'), ['worker/main.ts'], {
    cwd: root,
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: testServerAddress(),
      TFA_TASK_QUEUE: taskQueue,
      OPENAI_BASE_URL: model.baseURL,
      OPENAI_API_KEY: 'scripted',
      TFA_DATA_DIR: path.dirname(fixture.root),
      TFA_DEPLOY_REPO: fixture.repo,
      TFA_DEPLOY_TEST_COMMAND: FIXTURE_TEST_COMMAND,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, so killHard reaches tsx's child too
  });
  workers.push(worker);
  return new Promise((resolve, reject) => {
    worker.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('worker polling') && resolve(worker));
    worker.once('exit', (code) => reject(new Error(`worker exited early with code ${code}`)));
  });
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
  const first = await startWorkerProcess(taskQueue);
  const handle = await client.workflow.start(AGENT_WORKFLOW_TYPE, {
    taskQueue,
    workflowId: `crash-${Date.now()}`,
    args: [{ agent: 'deploybot', message: 'deploy main to production' }],
  });
  await waitForState(handle, (state) => state.status === 'awaiting_approval');

  const exited = new Promise((resolve) => first.once('exit', resolve));
  killHard(first); // no graceful shutdown: the worker process just dies
  await exited;
  await startWorkerProcess(taskQueue);
  await handle.signal(approveSignal, { by: 'erin' });

  expect(await handle.result()).toMatchObject({ status: 'completed', result: { message: 'deployed after a crash' } });
  expect(model.requests).toHaveLength(4); // each decision asked once: nothing restarted from step one
  const stagingHistory = await readFile(path.join(fixture.root, 'staging', 'history.jsonl'), 'utf8');
  expect(stagingHistory.trim().split('\n')).toHaveLength(1);
}, 90_000);
