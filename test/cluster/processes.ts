import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');

export interface TfaProcess {
  name: string;
  child: ChildProcess;
  /** The first stdout line that said the process is ready. */
  readyLine: string;
  /** SIGKILL to the process group (tsx runs the script in a child node): no graceful shutdown. */
  kill(): Promise<void>;
  /** SIGTERM: a worker finishes its tasks, the gateway closes, and they exit (SIGKILL after STOP_GRACE_MS). */
  stop(): Promise<void>;
}

const STOP_GRACE_MS = 30_000;
/** How long a process may take to say it is ready before it is killed: minutes, for a loaded 2-core machine. */
const READY_WITHIN_MS = 3 * 60_000;

/**
 * A product entry point (worker/main.ts, scripts/gateway.ts) in its own process group, configured
 * only by environment. Resolves once a stdout line matches `ready`, so nothing races its start-up;
 * a process that exits first, or is not ready within READY_WITHIN_MS (then SIGKILLed), rejects.
 */
export function startTfaProcess(options: {
  name: string;
  script: string;
  env: Record<string, string>;
  ready: RegExp;
}): Promise<TfaProcess> {
  const child = spawn(path.join(root, 'node_modules/.bin/tsx'), [options.script], {
    cwd: root,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  const keep = (chunk: Buffer) => void (output = (output + chunk.toString()).slice(-4_000));
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const signal = (which: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, which);
    } catch {
      // already gone
    }
  };
  const kill = async () => {
    signal('SIGKILL');
    await exited;
  };
  const stop = async () => {
    signal('SIGTERM');
    const stubborn = setTimeout(() => signal('SIGKILL'), STOP_GRACE_MS);
    await exited;
    clearTimeout(stubborn);
  };
  return new Promise((resolve, reject) => {
    const notReady = setTimeout(() => {
      reject(new Error(`${options.name} was not ready within ${READY_WITHIN_MS / 1000} s: ${output}`));
      void kill();
    }, READY_WITHIN_MS);
    child.stdout!.on('data', (chunk: Buffer) => {
      keep(chunk);
      const readyLine = chunk
        .toString()
        .split('\n')
        .find((line) => options.ready.test(line));
      if (!readyLine) return;
      clearTimeout(notReady);
      resolve({ name: options.name, child, readyLine, kill, stop });
    });
    child.once('exit', (code) => {
      clearTimeout(notReady);
      reject(new Error(`${options.name} exited early with code ${code}: ${output}`));
    });
  });
}
