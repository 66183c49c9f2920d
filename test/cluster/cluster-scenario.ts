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
import { approveAll, startRuns, whereStuck, waitForApprovals, waitForResults } from './cluster-runs';
import { startTfaProcess, type TfaProcess } from './processes';
import { checkRuns, type ClusterReport, type ClusterRuns } from './run-checks';
import { createWorkerGate, WORKER_NAME_VARIABLE, type WorkerGate } from './worker-gate';

export interface ClusterScenarioOptions {
  /** DeployBot runs started through the gateway. */
  runs: number;
  /** Deploy pipelines started with the client. */
  pipelines: number;
  /** Worker processes; one of them is SIGKILLed. At least 2. */
  workers: number;
  /** How long each wait for the runs (into their tests, to approval, to their end) may take. */
  waitMs: number;
  log: (line: string) => void;
}

export interface ClusterScenarioResult {
  report: ClusterReport;
  killed: { name: string; inFlight: number };
  /** Release test attempts beyond one a run: the killed worker's, run again elsewhere. */
  retried: number;
  /** How long each phase took, in order. */
  phases: Array<[string, number]>;
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

type Phase = <T>(name: string, task: () => Promise<T>) => Promise<T>;

async function commitBranches(fixture: DeployFixture, options: ClusterScenarioOptions): Promise<Setup['branches']> {
  const runs = Array.from({ length: options.runs }, (_, index) => `cluster-run-${index}`);
  const pipelines = Array.from({ length: options.pipelines }, (_, index) => `cluster-pipeline-${index}`);
  for (const branch of [...runs, ...pipelines]) await fixture.commitOn(branch, { 'branch.txt': `${branch}\n` });
  return { runs, pipelines };
}

async function setUp(workDir: string, options: ClusterScenarioOptions, phase: Phase): Promise<Setup> {
  const cluster = await phase('cluster start (PostgreSQL, schemas, Temporal server, namespace)', () =>
    startCluster({ log: options.log }),
  );
  options.log(`[cluster] Temporal at ${cluster.address}; start-up by phase (ms): ${JSON.stringify(cluster.timings)}`);
  const started: Array<() => Promise<void>> = [];
  try {
    const { fixture, gate, model, bundle } = await phase(
      'deploy repository, scripted model, workflow bundle',
      async () => {
        const fixture = await createDeployFixture();
        started.push(fixture.cleanup);
        const gate = await createWorkerGate();
        started.push(gate.cleanup);
        const model = await startScriptedModelServer({ responder: deploybotDemoResponder() });
        started.push(model.close);
        const bundle = await bundleWorkflowsTo(path.join(workDir, 'workflow-bundle.js'));
        return { fixture, gate, model, bundle };
      },
    );
    const commits = options.runs + options.pipelines;
    const branches = await phase(`${commits} commits`, () => commitBranches(fixture, options));
    return { cluster, bundle, fixture, model, gate, branches };
  } catch (error) {
    await Promise.all(started.map((stop) => stop()));
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

const totalEntered = async (gate: WorkerGate) =>
  [...(await gate.entered()).values()].reduce((sum, value) => sum + value, 0);

async function waitForEntered(options: {
  gate: WorkerGate;
  expected: number;
  client: Client;
  runs: ClusterRuns;
  waitMs: number;
}): Promise<void> {
  const { gate, expected, client, runs, waitMs } = options;
  const deadline = Date.now() + waitMs;
  let entered = 0;
  while (Date.now() < deadline) {
    entered = await totalEntered(gate);
    if (entered >= expected) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  const first = runs.deploybot[0]?.workflowId ?? runs.pipelines[0]!.workflowId;
  throw new Error(
    `only ${entered} of ${expected} runs reached their release tests within ${waitMs / 1000} s: ${await whereStuck(client, first)}`,
  );
}

async function shasOf(setup: Setup): Promise<Map<string, string>> {
  const branches = [...setup.branches.runs, ...setup.branches.pipelines];
  return new Map(await Promise.all(branches.map(async (branch) => [branch, await setup.fixture.sha(branch)] as const)));
}

/**
 * tfa on a real Temporal cluster (Temporal's server on PostgreSQL, started by scripts/cluster/):
 * `workers` worker processes and the gateway; DeployBot runs started through the gateway and
 * pipelines through the client. Every run parks inside its release tests (a gate the scenario
 * opens); the worker holding the most is SIGKILLed there, the gate opens, every run is approved
 * through the gateway, and the ledger is checked: each run completed, each deploy recorded exactly
 * once. Everything it started is stopped before it returns or throws.
 */
export async function runClusterScenario(options: ClusterScenarioOptions): Promise<ClusterScenarioResult> {
  if (options.workers < 2) throw new Error('the cluster scenario SIGKILLs a worker: it needs at least 2');
  const phases: Array<[string, number]> = [];
  const phase: Phase = async (name, task) => {
    const start = Date.now();
    const result = await task();
    phases.push([name, Date.now() - start]);
    options.log(`[cluster] ${name}: ${((Date.now() - start) / 1000).toFixed(1)} s`);
    return result;
  };
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tfa-cluster-run-'));
  const setup = await setUp(workDir, options, phase).catch((error: unknown) => {
    fs.rmSync(workDir, { recursive: true, force: true });
    throw error;
  });
  const workers: TfaProcess[] = [];
  let gateway: { process: TfaProcess; url: string } | undefined;
  let connection: Connection | undefined;
  try {
    connection = await Connection.connect({ address: setup.cluster.address });
    const client = new Client({ connection, namespace: setup.cluster.namespace });
    const names = Array.from({ length: options.workers }, (_, index) => `worker-${index + 1}`);
    await phase(`${options.workers} worker processes polling`, async () => {
      const starts = await Promise.allSettled(names.map((name) => startWorker(setup, name, workDir)));
      for (const start of starts) if (start.status === 'fulfilled') workers.push(start.value);
      const failed = starts.find((start) => start.status === 'rejected');
      if (failed) throw failed.reason;
    });
    gateway = await phase('gateway process listening', () => startGateway(setup, workDir));
    const gatewayUrl = gateway.url;
    const runs: ClusterRuns = await phase('start runs (gateway) and pipelines (client)', () =>
      startRuns({ gatewayUrl, client, branches: setup.branches }),
    );
    const expected = options.runs + options.pipelines;
    await phase(`all ${expected} runs inside their release tests`, () =>
      waitForEntered({ gate: setup.gate, expected, client, runs, waitMs: options.waitMs }),
    );
    const killed = await killBusiestWorker(workers, setup.gate);
    options.log(`[cluster] SIGKILLed ${killed.name} with ${killed.inFlight} release tests in flight; gate opened`);
    await setup.gate.open();
    await phase('all runs waiting for approval (killed tests retried after the heartbeat timeout)', () =>
      waitForApprovals(client, runs, options.waitMs),
    );
    await phase('approve every run through the gateway', () => approveAll(gatewayUrl, runs));
    const results = await phase('all runs finished', () => waitForResults(client, runs, options.waitMs));
    const report = await checkRuns({ fixture: setup.fixture, runs, results, shas: await shasOf(setup) });
    const retried = (await totalEntered(setup.gate)) - expected;
    return { report, killed, retried, phases };
  } finally {
    await phase('stop', async () => {
      await gateway?.process.stop();
      await connection?.close();
      await Promise.all(workers.map((worker) => worker.stop()));
      await Promise.all([setup.model.close(), setup.gate.cleanup(), setup.fixture.cleanup()]);
      await setup.cluster.stop();
      fs.rmSync(workDir, { recursive: true, force: true });
    });
  }
}
