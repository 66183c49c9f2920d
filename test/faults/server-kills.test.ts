import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { AGENT_WORKFLOW_TYPE } from '../../core/constants';
import { startDevServer, type DevServer } from '../../scripts/dev-server';
import { approveSignal, threadQuery } from '../../workflows/messages';
import { createDeployFixture, type DeployFixture } from '../support/deploy-fixture';
import {
  deploybotDemoResponder,
  startScriptedModelServer,
  type ScriptedModelServer,
} from '../../scripts/scripted-model/server';
import { temporalCliPath } from '../support/test-server';
import { faultRuns, recordFaultRow } from './fault-table';
import { compareThread, eventSignature, ledgerCounts, threadOf, waitForAll } from './run-checks';
import { scanHistories, secretWorkerEnv } from './secrets';
import { createTestGate, type TestGate } from './test-gate';
import { startWorkerProcess, type WorkerProcess } from './worker-process';
import { freePort } from '../support/free-port';

// The Temporal dev server killed with SIGKILL (no flush, no goodbye) and restarted on the same
// SQLite file while some runs wait for approval and others are inside run_tests (mid-step,
// held by a gate the test opens after the restart). All must resume and finish as if nothing happened.

const PER_KIND = Math.max(3, Math.round(faultRuns() / 10));
const PHASE_TIMEOUT_MS = 150_000;

let dataDir: string;
let fixture: DeployFixture;
let model: ScriptedModelServer;
let gate: TestGate;
let server: DevServer | undefined;
let worker: WorkerProcess | undefined;
let connection: Connection | undefined;

afterAll(async () => {
  await worker?.kill();
  await connection?.close();
  await server?.stop();
  await Promise.all([
    model?.close(),
    gate?.cleanup(),
    fixture?.cleanup(),
    dataDir && rm(dataDir, { recursive: true, force: true }),
  ]);
});

test('runs waiting for approval and runs mid-step all resume after the dev server is SIGKILLed and restarted on the same file', async () => {
  [dataDir, fixture, model, gate] = await Promise.all([
    mkdtemp(path.join(os.tmpdir(), 'tfa-faults-server-')),
    createDeployFixture(),
    startScriptedModelServer({ responder: deploybotDemoResponder() }),
    createTestGate(),
  ]);
  const serverOptions = {
    cli: temporalCliPath(),
    address: `127.0.0.1:${await freePort()}`,
    dataDir,
    uiPort: await freePort(),
  };
  server = await startDevServer(serverOptions);
  connection = await Connection.connect({ address: serverOptions.address });
  const client = new Client({ connection });
  const taskQueue = 'faults-server';
  const workerEnv = {
    ...secretWorkerEnv(),
    TEMPORAL_ADDRESS: serverOptions.address,
    TFA_TASK_QUEUE: taskQueue,
    OPENAI_BASE_URL: model.baseURL,
    TFA_DATA_DIR: path.dirname(fixture.root),
    TFA_DEPLOY_REPO: fixture.repo,
    TFA_DEPLOY_TEST_COMMAND: gate.command,
  };
  worker = await startWorkerProcess(workerEnv);
  const start = async (index: number) => {
    const sha = await fixture.commitOn(`server-${index}`, { 'run.txt': `${index}\n` });
    const handle = await client.workflow.start(AGENT_WORKFLOW_TYPE, {
      taskQueue,
      workflowId: `faults-server-${index}`,
      args: [{ agent: 'deploybot', message: `deploy server-${index} to production` }],
    });
    return { handle, sha };
  };

  // The reference: one run without faults.
  await gate.close('open');
  await gate.open('open');
  const reference = await start(0);
  await waitForAll([reference.handle], (state) => state.status === 'awaiting_approval', PHASE_TIMEOUT_MS);
  await reference.handle.signal(approveSignal, { by: 'erin' });
  await reference.handle.result();
  const expected = eventSignature((await reference.handle.query(threadQuery)).events);

  const waiting: Array<{ handle: WorkflowHandle; sha: string }> = [];
  for (let index = 1; index <= PER_KIND; index++) waiting.push(await start(index));
  const stuck = await waitForAll(
    waiting.map((run) => run.handle),
    (state) => state.status === 'awaiting_approval',
    PHASE_TIMEOUT_MS,
  );
  await gate.close('held');
  const midStep: Array<{ handle: WorkflowHandle; sha: string }> = [];
  for (let index = PER_KIND + 1; index <= 2 * PER_KIND; index++) midStep.push(await start(index));
  await gate.waitEntered('held', PER_KIND, PHASE_TIMEOUT_MS);

  server.process!.kill('SIGKILL');
  await new Promise((resolve) => server!.process!.once('exit', resolve));
  server = await startDevServer(serverOptions); // the same SQLite file and address
  if (worker.child.exitCode !== null || worker.child.signalCode !== null) worker = await startWorkerProcess(workerEnv);

  await gate.open('held');
  const runs = [...waiting, ...midStep];
  for (const id of await waitForAll(
    runs.map((run) => run.handle),
    (state) => state.status === 'awaiting_approval',
    PHASE_TIMEOUT_MS,
  ))
    stuck.add(id);
  const ready = runs.filter((run) => !stuck.has(run.handle.workflowId));
  await Promise.all(ready.map((run) => run.handle.signal(approveSignal, { by: 'erin' })));
  for (const id of await waitForAll(
    ready.map((run) => run.handle),
    (state) => state.status === 'completed',
    PHASE_TIMEOUT_MS,
  ))
    stuck.add(id);

  const [staging, production] = await Promise.all([
    ledgerCounts(fixture.root, 'staging'),
    ledgerCounts(fixture.root, 'production'),
  ]);
  const problems: string[] = [];
  const row = { runs: runs.length, completed: 0, duplicates: 0, lost: 0, stuck: stuck.size };
  for (const run of runs.filter((each) => !stuck.has(each.handle.workflowId))) {
    const { state, events } = await threadOf(run.handle);
    if (state.status === 'completed') row.completed += 1;
    const thread = compareThread(events, expected);
    const deploys = [staging.get(run.sha) ?? 0, production.get(run.sha) ?? 0];
    row.duplicates += thread.duplicates + deploys.filter((count) => count > 1).length;
    row.lost += thread.lost + deploys.filter((count) => count === 0).length;
    if (thread.diff || deploys.some((count) => count !== 1))
      problems.push(
        `${run.handle.workflowId}: thread ${thread.diff || 'as the reference'}; deploys staging ${deploys[0]}, production ${deploys[1]}`,
      );
  }
  const { leaks } = await scanHistories(
    client,
    [reference, ...runs].map((run) => run.handle.workflowId),
  );
  recordFaultRow({
    scenario: `dev server SIGKILL + restart (${PER_KIND} waiting, ${PER_KIND} mid-step)`,
    ...row,
    refused: 0,
    secrets: leaks.length,
  });
  expect({ ...row, problems }).toEqual({
    runs: 2 * PER_KIND,
    completed: 2 * PER_KIND,
    duplicates: 0,
    lost: 0,
    stuck: 0,
    problems: [],
  });
  expect(leaks).toEqual([]);
}, 600_000);
