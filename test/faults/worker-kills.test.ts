import path from 'node:path';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { AGENT_WORKFLOW_TYPE } from '../../core/constants';
import { approveSignal, threadQuery } from '../../workflows/messages';
import { createDeployFixture, type DeployFixture } from '../support/deploy-fixture';
import {
  deploybotDemoResponder,
  startScriptedModelServer,
  type ScriptedModelServer,
} from '../../scripts/scripted-model/server';
import { testServerAddress } from '../support/test-server';
import { emptyFaultRow, faultRuns, recordFaultRow } from './fault-table';
import { compareThread, eventSignature, ledgerCounts, threadOf, waitForAll } from './run-checks';
import { scanHistories, secretWorkerEnv } from './secrets';
import { faultSeed, seededRandom } from './seeded-random';
import { createTestGate, type TestGate } from './test-gate';
import { startWorkerProcess, type WorkerProcess } from './worker-process';

// Worker SIGKILL at seeded points in TFA_FAULT_RUNS DeployBot runs on the shared dev server. Runs go
// in batches; each batch is killed while every run waits inside run_tests (mid-step: the activity
// is retried once Temporal misses its heartbeat) and/or while some wait for approval and others
// are done. The seed picks which kills happen and which runs are approved first: TFA_FAULT_SEED=<seed>
// replays the same choices.

const RUNS = faultRuns();
const BATCH_SIZE = 20;
const SEED = faultSeed();
const random = seededRandom(SEED);
const batches = Array.from({ length: Math.ceil(RUNS / BATCH_SIZE) }, (_, index) => index);
/** A kill mid-step waits out the tool activity's 30 s heartbeat timeout; all else is generous slack for a loaded machine. */
const PHASE_TIMEOUT_MS = 150_000;

let fixture: DeployFixture;
let model: ScriptedModelServer;
let gate: TestGate;
let connection: Connection;
let client: Client;
let worker: WorkerProcess | undefined;
let reference: string[] = [];
const taskQueue = `faults-kill-${process.pid}-${Date.now()}`;
const workflowIds: string[] = [];
const shas = new Map<number, string>();
/** The scenario's row, its name given once the kills are counted. */
const totals = emptyFaultRow('worker SIGKILL');
let kills = 0;

function workerEnv(): Record<string, string> {
  return {
    ...secretWorkerEnv(),
    TEMPORAL_ADDRESS: testServerAddress(),
    TFA_TASK_QUEUE: taskQueue,
    OPENAI_BASE_URL: model.baseURL,
    TFA_DATA_DIR: path.dirname(fixture.root),
    TFA_DEPLOY_REPO: fixture.repo,
    TFA_DEPLOY_TEST_COMMAND: gate.command,
    // A killed worker's tasks make its replacement warn ("task not found"): expected here.
    TFA_LOG_LEVEL: 'ERROR',
  };
}

/**
 * SIGKILLs the worker with its tasks in flight. The replacement starts polling first: runs are parked
 * at gates then (inside run_tests or waiting for approval), so nothing new is handed out meanwhile,
 * and the scenario does not wait for a start-up after each kill.
 */
async function killWorker(): Promise<void> {
  const replacement = await startWorkerProcess(workerEnv());
  await worker?.kill();
  kills += 1;
  worker = replacement;
}

function startRun(branch: string, workflowId: string): Promise<WorkflowHandle> {
  workflowIds.push(workflowId);
  return client.workflow.start(AGENT_WORKFLOW_TYPE, {
    taskQueue,
    workflowId,
    args: [{ agent: 'deploybot', message: `deploy ${branch} to production` }],
  });
}

beforeAll(
  async () => {
    console.log(`worker-kill scenario: ${RUNS} DeployBot runs, seed ${SEED} (reproduce with TFA_FAULT_SEED=${SEED})`);
    [fixture, model, gate, connection] = await Promise.all([
      createDeployFixture(),
      startScriptedModelServer({ responder: deploybotDemoResponder() }),
      createTestGate(),
      Connection.connect({ address: testServerAddress() }),
    ]);
    client = new Client({ connection });
    // One commit per run, so each deploy is its own ledger entry; made while the worker starts.
    const commits = (async () => {
      for (let index = 0; index < RUNS; index++)
        shas.set(index, await fixture.commitOn(`fault-${index}`, { 'run.txt': `${index}\n` }));
    })();
    worker = await startWorkerProcess(workerEnv());
    await commits;
  },
  120_000 + RUNS * 2_000,
);

afterAll(async () => {
  await worker?.kill();
  await Promise.all([model?.close(), gate?.cleanup(), fixture?.cleanup(), connection?.close()]);
});

test('a DeployBot run without kills gives the reference thread: deploy to staging, test, approval, deploy to production, done', async () => {
  await gate.close('reference');
  await gate.open('reference');
  const handle = await startRun('main', `faults-kill-${SEED}-reference`);
  expect(await waitForAll([handle], (state) => state.status === 'awaiting_approval', PHASE_TIMEOUT_MS)).toEqual(
    new Set(),
  );
  await handle.signal(approveSignal, { by: 'erin' });
  expect(await handle.result()).toMatchObject({ status: 'completed' });
  const { events } = await handle.query(threadQuery);
  reference = eventSignature(events);
  // The release test command printed its environment: the passed-through secret reached the output, scrubbed.
  const tested = events.find((event) => event.type === 'tool_result' && event.tool === 'run_tests');
  expect(tested).toMatchObject({ output: expect.stringContaining('[redacted FAULT_SUITE_WEBHOOK_SECRET]') });
  expect(reference).toEqual(
    expect.arrayContaining([
      'tool_result:deploy_to_staging',
      'tool_result:run_tests',
      'approval_granted',
      'tool_result:deploy_to_production',
    ]),
  );
  expect(reference.at(-1)).toBe('done:done_for_now');
}, 180_000);

test.each(batches)(
  'batch %i: runs killed mid-step and while waiting complete, each deploy recorded once, no thread event lost or repeated',
  async (batch) => {
    expect(reference.length).toBeGreaterThan(0);
    const indexes = Array.from(
      { length: Math.min(BATCH_SIZE, RUNS - batch * BATCH_SIZE) },
      (_, offset) => batch * BATCH_SIZE + offset,
    );
    const killMidStep = batch === 0 || random.next() < 0.5;
    const killWaiting = batch === 0 || !killMidStep || random.next() < 0.5;
    const firstApproved = random.shuffle(indexes).slice(0, random.below(indexes.length + 1));
    console.log(
      `batch ${batch}: kill mid-step ${killMidStep}, kill while waiting ${killWaiting} after ${firstApproved.length} approved first`,
    );

    const phase = `b${batch}`;
    await gate.close(phase);
    const handles = new Map<number, WorkflowHandle>();
    for (const index of indexes) handles.set(index, await startRun(`fault-${index}`, `faults-kill-${SEED}-${index}`));
    const stuck = new Set<string>();

    await gate.waitEntered(phase, indexes.length, PHASE_TIMEOUT_MS).catch(async (error: unknown) => {
      const first = handles.get(indexes[0]!)!;
      throw new Error(
        `${String(error)}; ${first.workflowId}: ${JSON.stringify((await first.query(threadQuery).catch(() => undefined))?.events.slice(-3))}`,
      );
    });
    if (killMidStep) await killWorker(); // every run is inside run_tests
    await gate.open(phase);
    for (const id of await waitForAll(
      [...handles.values()],
      (state) => state.status === 'awaiting_approval',
      PHASE_TIMEOUT_MS,
    ))
      stuck.add(id);

    const approve = async (which: number[]) => {
      const ready = which.map((index) => handles.get(index)!).filter((handle) => !stuck.has(handle.workflowId));
      await Promise.all(ready.map((handle) => handle.signal(approveSignal, { by: 'erin' })));
      for (const id of await waitForAll(ready, (state) => state.status === 'completed', PHASE_TIMEOUT_MS))
        stuck.add(id);
    };
    await approve(firstApproved);
    if (killWaiting) await killWorker(); // some runs done, the others wait for approval
    await approve(indexes.filter((index) => !firstApproved.includes(index)));

    const [staging, production] = await Promise.all([
      ledgerCounts(fixture.root, 'staging'),
      ledgerCounts(fixture.root, 'production'),
    ]);
    const problems: string[] = [];
    const row = { runs: indexes.length, completed: 0, duplicates: 0, lost: 0, stuck: stuck.size };
    for (const index of indexes) {
      const handle = handles.get(index)!;
      if (stuck.has(handle.workflowId)) continue;
      const result = (await handle.result()) as { status: string };
      if (result.status === 'completed') row.completed += 1;
      const { events } = await threadOf(handle);
      const thread = compareThread(events, reference);
      const errors = events.flatMap((event) =>
        event.type === 'error' ? [`${event.errorType}: ${event.message.slice(0, 300)}`] : [],
      );
      const deploys = [staging.get(shas.get(index)!) ?? 0, production.get(shas.get(index)!) ?? 0];
      row.duplicates += thread.duplicates + deploys.filter((count) => count > 1).length;
      row.lost += thread.lost + deploys.filter((count) => count === 0).length;
      if (thread.diff || deploys.some((count) => count !== 1))
        problems.push(
          `${handle.workflowId}: thread ${thread.diff || 'as the reference'}; deploys staging ${deploys[0]}, production ${deploys[1]}; ${errors.join(' | ')}`,
        );
    }
    for (const key of ['runs', 'completed', 'duplicates', 'lost', 'stuck'] as const) totals[key] += row[key];
    expect({ ...row, problems }).toEqual({
      runs: indexes.length,
      completed: indexes.length,
      duplicates: 0,
      lost: 0,
      stuck: 0,
      problems: [],
    });
  },
  2 * 3 * 150_000,
);

test('no secret value of the worker appears in any history this scenario produced', async () => {
  const { leaks } = await scanHistories(client, workflowIds);
  totals.secrets = leaks.length;
  recordFaultRow({ ...totals, scenario: `worker SIGKILL (${kills} kills, seed ${SEED})` });
  expect(leaks).toEqual([]);
}, 120_000);
