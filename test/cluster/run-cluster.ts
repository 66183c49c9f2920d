// `npm run test:cluster`: tfa on a real Temporal cluster (Temporal's server on PostgreSQL, started
// by scripts/cluster/, no Docker) with several worker processes and the HTTP gateway. Starts
// DeployBot runs through the gateway and deploy pipelines through the client, parks every run
// inside its release tests, SIGKILLs the worker holding the most of them, lets the rest finish,
// approves everything through the gateway and checks each run completed with each deploy recorded
// exactly once in the shared release store. Prints what it did and how long each phase took.
//
//   TFA_CLUSTER_RUNS=50 TFA_CLUSTER_PIPELINES=5 TFA_CLUSTER_WORKERS=3 npm run test:cluster
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DEFAULT_TASK_QUEUE } from '../../core/constants';
import { bundleWorkflowsTo } from '../../scripts/bundle-workflows';
import { startCluster, type RunningCluster } from '../../scripts/cluster/start-cluster';
import {
  deploybotDemoResponder,
  startScriptedModelServer,
  type ScriptedModelServer,
} from '../../scripts/scripted-model/server';
import { createDeployFixture, type DeployFixture } from '../support/deploy-fixture';
import { checkRuns, type ClusterReport, type ClusterRuns } from './run-checks';
import { approveAll, lastFailure, startRuns, waitForApprovals, waitForResults } from './cluster-runs';
import { createWorkerGate, WORKER_NAME_VARIABLE, type WorkerGate } from './worker-gate';
import { startTfaProcess, type TfaProcess } from './processes';

const count = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`${name} must be a positive integer, got ${process.env[name]}`);
  return value;
};
const RUNS = count('TFA_CLUSTER_RUNS', 50);
const PIPELINES = count('TFA_CLUSTER_PIPELINES', 5);
const WORKERS = count('TFA_CLUSTER_WORKERS', 3);

const started = Date.now();
const phases: Array<[string, number]> = [];
/** Runs one phase and records how long it took. */
async function phase<T>(name: string, task: () => Promise<T>): Promise<T> {
  const start = Date.now();
  const result = await task();
  phases.push([name, Date.now() - start]);
  console.log(`[cluster] ${name}: ${((Date.now() - start) / 1000).toFixed(1)} s`);
  return result;
}

interface Setup {
  cluster: RunningCluster;
  bundle: string;
  fixture: DeployFixture;
  model: ScriptedModelServer;
  gate: WorkerGate;
  /** One commit per run and per pipeline, so each deploy is its own ledger entry. */
  branches: { runs: string[]; pipelines: string[] };
}

async function commitBranches(fixture: DeployFixture): Promise<Setup['branches']> {
  const runs = Array.from({ length: RUNS }, (_, index) => `cluster-run-${index}`);
  const pipelines = Array.from({ length: PIPELINES }, (_, index) => `cluster-pipeline-${index}`);
  for (const branch of [...runs, ...pipelines]) await fixture.commitOn(branch, { 'branch.txt': `${branch}\n` });
  return { runs, pipelines };
}

async function setUp(workDir: string): Promise<Setup> {
  const cluster = await phase('cluster start (PostgreSQL, schemas, Temporal server, namespace)', () =>
    startCluster({ log: console.log }),
  );
  console.log(`[cluster] Temporal at ${cluster.address}; start-up by phase (ms): ${JSON.stringify(cluster.timings)}`);
  try {
    const [bundle, fixture, model, gate] = await phase('workflow bundle, deploy repository, scripted model', () =>
      Promise.all([
        bundleWorkflowsTo(path.join(workDir, 'workflow-bundle.js')),
        createDeployFixture(),
        startScriptedModelServer({ responder: deploybotDemoResponder() }),
        createWorkerGate(),
      ]),
    );
    const branches = await phase(`${RUNS + PIPELINES} commits`, () => commitBranches(fixture));
    return { cluster, bundle, fixture, model, gate, branches };
  } catch (error) {
    await cluster.stop();
    throw error;
  }
}

function workerEnv(setup: Setup, name: string, workDir: string): Record<string, string> {
  return {
    TEMPORAL_ADDRESS: setup.cluster.address,
    TEMPORAL_NAMESPACE: setup.cluster.namespace,
    TFA_TASK_QUEUE: DEFAULT_TASK_QUEUE,
    OPENAI_BASE_URL: setup.model.baseURL,
    OPENAI_API_KEY: 'scripted',
    TFA_WORKFLOW_BUNDLE: setup.bundle,
    // One release store shared by every worker, as a volume shared by replicas.
    TFA_DATA_DIR: path.dirname(setup.fixture.root),
    TFA_DEPLOY_REPO: setup.fixture.repo,
    TFA_DEPLOY_TEST_COMMAND: setup.gate.command,
    TFA_DEPLOY_ENV_PASSTHROUGH: WORKER_NAME_VARIABLE,
    [WORKER_NAME_VARIABLE]: name,
    // No policy file: anyone may approve (the gateway's loopback API, as with `npm start`).
    TFA_POLICY_FILE: path.join(workDir, 'no-policy.json'),
    // A killed worker's tasks make the others warn ("task not found"): expected here.
    TFA_LOG_LEVEL: 'ERROR',
  };
}

function startWorker(setup: Setup, name: string, workDir: string): Promise<TfaProcess> {
  return startTfaProcess({
    name,
    script: 'worker/main.ts',
    env: workerEnv(setup, name, workDir),
    ready: /worker polling/,
  });
}

/** The gateway's own process (scripts/gateway.ts, as docker-compose.yml runs it) on a free loopback port; resolves with its URL. */
async function startGateway(setup: Setup, workDir: string): Promise<{ process: TfaProcess; url: string }> {
  const env = {
    TEMPORAL_ADDRESS: setup.cluster.address,
    TEMPORAL_NAMESPACE: setup.cluster.namespace,
    TFA_TASK_QUEUE: DEFAULT_TASK_QUEUE,
    TFA_GATEWAY_PORT: '0',
    TFA_POLICY_FILE: path.join(workDir, 'no-policy.json'),
  };
  const gateway = await startTfaProcess({
    name: 'gateway',
    script: 'scripts/gateway.ts',
    env,
    ready: /HTTP gateway: http:\/\/\S+/,
  });
  return { process: gateway, url: /HTTP gateway: (http:\/\/[^\s,]+)/.exec(gateway.readyLine)![1]! };
}

/** SIGKILLs the worker with the most runs waiting inside their release tests; returns its name and that count. */
async function killBusiestWorker(workers: TfaProcess[], gate: WorkerGate): Promise<{ name: string; inFlight: number }> {
  const entered = await gate.entered();
  const busiest = [...workers].sort((a, b) => (entered.get(b.name) ?? 0) - (entered.get(a.name) ?? 0))[0]!;
  await busiest.kill();
  workers.splice(workers.indexOf(busiest), 1);
  return { name: busiest.name, inFlight: entered.get(busiest.name) ?? 0 };
}

async function main(): Promise<void> {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tfa-cluster-run-'));
  console.log(
    `[cluster] ${RUNS} DeployBot runs and ${PIPELINES} pipelines, ${WORKERS} workers; one worker SIGKILLed mid-step`,
  );
  const setup = await setUp(workDir).catch((error: unknown) => {
    fs.rmSync(workDir, { recursive: true, force: true });
    throw error;
  });
  const workers: TfaProcess[] = [];
  let gateway: { process: TfaProcess; url: string } | undefined;
  const connection = await Connection.connect({ address: setup.cluster.address });
  const client = new Client({ connection, namespace: setup.cluster.namespace });
  try {
    const names = Array.from({ length: WORKERS }, (_, index) => `worker-${index + 1}`);
    workers.push(
      ...(await phase(`${WORKERS} worker processes polling`, () =>
        Promise.all(names.map((name) => startWorker(setup, name, workDir))),
      )),
    );
    gateway = await phase('gateway process listening', () => startGateway(setup, workDir));
    const gatewayUrl = gateway.url;
    const runs: ClusterRuns = await phase('start runs (gateway) and pipelines (client)', () =>
      startRuns({ gatewayUrl, client, branches: setup.branches }),
    );
    await phase(`all ${RUNS + PIPELINES} runs inside their release tests`, () =>
      waitForEntered(setup.gate, RUNS + PIPELINES, client, runs),
    );
    const killed = await killBusiestWorker(workers, setup.gate);
    console.log(`[cluster] SIGKILLed ${killed.name} with ${killed.inFlight} release tests in flight; gate opened`);
    await setup.gate.open();
    await phase('all runs waiting for approval (killed tests retried after the heartbeat timeout)', () =>
      waitForApprovals(client, runs),
    );
    await phase('approve every run through the gateway', () => approveAll(gatewayUrl, runs));
    const results = await phase('all runs finished', () => waitForResults(client, runs));
    const report = await checkRuns({ fixture: setup.fixture, runs, results, shas: await shasOf(setup) });
    const retried =
      [...(await setup.gate.entered()).values()].reduce((sum, value) => sum + value, 0) - (RUNS + PIPELINES);
    printReport(report, killed, retried);
    if (report.problems.length > 0) process.exitCode = 1;
  } finally {
    await phase('stop', async () => {
      await gateway?.process.stop();
      await connection.close();
      await Promise.all(workers.map((worker) => worker.stop()));
      await Promise.all([setup.model.close(), setup.gate.cleanup(), setup.fixture.cleanup()]);
      await setup.cluster.stop();
      fs.rmSync(workDir, { recursive: true, force: true });
    });
  }
}

async function waitForEntered(gate: WorkerGate, expected: number, client: Client, runs: ClusterRuns): Promise<void> {
  const deadline = Date.now() + 5 * 60_000;
  let entered = 0;
  while (Date.now() < deadline) {
    entered = [...(await gate.entered()).values()].reduce((sum, value) => sum + value, 0);
    if (entered >= expected) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  const first = runs.deploybot[0]?.workflowId ?? runs.pipelines[0]!.workflowId;
  throw new Error(
    `only ${entered} of ${expected} runs reached their release tests within 5 minutes; last failure of ${first}: ${await lastFailure(client, first)}`,
  );
}

async function shasOf(setup: Setup): Promise<Map<string, string>> {
  const branches = [...setup.branches.runs, ...setup.branches.pipelines];
  return new Map(await Promise.all(branches.map(async (branch) => [branch, await setup.fixture.sha(branch)] as const)));
}

function printReport(report: ClusterReport, killed: { name: string; inFlight: number }, retried: number): void {
  const { completed, ledger } = report;
  console.log(
    [
      '',
      `tfa on a Temporal cluster (server on PostgreSQL): ${RUNS} DeployBot runs, ${PIPELINES} pipelines, ${WORKERS} workers`,
      `  SIGKILLed ${killed.name} with ${killed.inFlight} release tests in flight; ${retried} test attempts ran again on the other workers`,
      `  completed: ${completed.deploybot}/${RUNS} DeployBot runs, ${completed.pipelines}/${PIPELINES} pipelines finished`,
      `  pipeline outcomes: ${JSON.stringify(report.pipelineOutcomes)}`,
      ...Object.entries(ledger).map(
        ([environment, entry]) =>
          `  ${environment}: ${entry.entries} deploys recorded, ${entry.duplicated} commits deployed twice, ${entry.missing} never; current is the last deploy: ${entry.currentIsLast}`,
      ),
      '  phases:',
      ...phases.map(([name, ms]) => `    ${(ms / 1000).toFixed(1).padStart(6)} s  ${name}`),
      `  total ${((Date.now() - started) / 1000).toFixed(1)} s`,
      report.problems.length === 0 ? 'PASS' : `FAIL:\n  ${report.problems.join('\n  ')}`,
      '',
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  console.error(`cluster run failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
