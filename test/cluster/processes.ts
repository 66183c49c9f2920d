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
  /** SIGTERM: a worker finishes its tasks, the gateway closes, and they exit. */
  stop(): Promise<void>;
}

/**
 * A product entry point (worker/main.ts, scripts/gateway.ts) in its own process group, configured
 * only by environment. Resolves once a stdout line matches `ready`, so nothing races its start-up.
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
  const signal = async (which: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, which);
    } catch {
      // already gone
    }
    await exited;
  };
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      keep(chunk);
      const readyLine = chunk
        .toString()
        .split('\n')
        .find((line) => options.ready.test(line));
      if (readyLine)
        resolve({ name: options.name, child, readyLine, kill: () => signal('SIGKILL'), stop: () => signal('SIGTERM') });
    });
    child.once('exit', (code) => reject(new Error(`${options.name} exited early with code ${code}: ${output}`)));
  });
}
