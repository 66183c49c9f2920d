import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');

export interface WorkerProcess {
  child: ChildProcess;
  /** SIGKILL to the whole process group (tsx runs the worker in a child node), resolved once it is gone. */
  kill(): Promise<void>;
}

/**
 * A worker process in its own process group, configured only by environment: worker/main.ts's
 * composition on the jest run's workflow bundle (worker-entry.ts). Resolves once it polls its task
 * queue, so no test races its start-up.
 */
export function startWorkerProcess(env: Record<string, string>): Promise<WorkerProcess> {
  const child = spawn(path.join(root, 'node_modules/.bin/tsx'), ['test/faults/worker-entry.ts'], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
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
  return new Promise((resolve, reject) => {
    child.stdout!.on(
      'data',
      (chunk: Buffer) => chunk.toString().includes('worker polling') && resolve({ child, kill }),
    );
    child.once('exit', (code) => reject(new Error(`worker exited early with code ${code}: ${stderr}`)));
  });
}
