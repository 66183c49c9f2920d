import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { FIXTURE_TEST_COMMAND, type DeployFixture } from '../support/deploy-fixture';

const root = path.resolve(__dirname, '../..');

export interface WorkerProcess {
  child: ChildProcess;
  /** What it has printed on stdout so far. */
  output(): string;
  /** SIGKILL to the whole process group (tsx runs the worker in a child node), resolved once it is gone. */
  kill(): Promise<void>;
}

export interface WorkerProcessOptions {
  /**
   * The entry file. Default `test/faults/worker-entry.ts`: worker/main.ts's composition on the jest
   * run's workflow bundle; `worker/main.ts` is the production entry itself.
   */
  entry?: string;
  /** When it counts as started, judged on its stdout so far; default: once it polls its task queue. */
  ready?: (stdout: string) => boolean;
}

const polling = (stdout: string) => stdout.includes('worker polling');

/**
 * A worker process in its own process group, configured only by environment. Resolves once it is
 * ready (by default, once it polls its task queue), so no test races its start-up.
 */
export function startWorkerProcess(
  env: Record<string, string>,
  { entry = 'test/faults/worker-entry.ts', ready = polling }: WorkerProcessOptions = {},
): Promise<WorkerProcess> {
  const child = spawn(path.join(root, 'node_modules/.bin/tsx'), [entry], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => void (stderr = (stderr + chunk.toString()).slice(-4_000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const kill = async () => {
    try {
      process.kill(-child.pid!, 'SIGKILL'); // no graceful shutdown: the worker just dies
    } catch {
      // already gone
    }
    await exited;
  };
  const started: WorkerProcess = { child, kill, output: () => stdout };
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (ready(stdout)) resolve(started);
    });
    child.once('exit', (code) => reject(new Error(`worker exited early with code ${code}: ${stderr}`)));
  });
}

/** Why a worker process refused to start (its early-exit error), or `it started` when it did not refuse (it is killed at once). */
export function startupRefusal(env: Record<string, string>): Promise<string> {
  return startWorkerProcess(env).then(
    async (worker) => {
      await worker.kill();
      return 'it started';
    },
    (error: Error) => error.message,
  );
}

/** What a worker needs to run DeployBot's tools on `fixture` with the scripted model at `modelURL`. */
export function scriptedDeployEnv(modelURL: string, fixture: DeployFixture): Record<string, string> {
  return {
    OPENAI_BASE_URL: modelURL,
    OPENAI_API_KEY: 'scripted',
    TFA_DATA_DIR: path.dirname(fixture.root),
    TFA_DEPLOY_REPO: fixture.repo,
    TFA_DEPLOY_TEST_COMMAND: FIXTURE_TEST_COMMAND,
  };
}
