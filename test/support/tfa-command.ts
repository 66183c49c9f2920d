import { execFile, spawn } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
const root = path.resolve(__dirname, '../..');

export interface CommandOutcome {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * `tfa` as a user runs it, in its own process from the repository root; resolves with the exit code
 * instead of throwing. `env` goes over this process's environment; a variable set to undefined is removed.
 */
export async function runTfa(
  args: readonly string[],
  env: Record<string, string | undefined> = {},
): Promise<CommandOutcome> {
  const merged = { ...process.env, ...env };
  for (const name of Object.keys(env)) if (env[name] === undefined) delete merged[name];
  try {
    const { stdout, stderr } = await execFileAsync(
      path.join(root, 'node_modules/.bin/tsx'),
      ['client/cli.ts', ...args],
      { cwd: root, env: merged },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as CommandOutcome;
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** A long-running `tfa` command (e.g. `tfa watch`): its output so far, line by line, and its exit code once it exits. */
export interface RunningTfa {
  /** Every complete stdout line so far. */
  lines: string[];
  stderr(): string;
  exited: Promise<number | null>;
  kill(): void;
}

/** Starts `tfa` as runTfa does, without waiting for it to exit. */
export function spawnTfa(args: readonly string[], env: Record<string, string | undefined> = {}): RunningTfa {
  const child = spawn(path.join(root, 'node_modules/.bin/tsx'), ['client/cli.ts', ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let partial = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    const parts = (partial + chunk.toString()).split('\n');
    partial = parts.pop()!;
    lines.push(...parts);
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return { lines, stderr: () => stderr, exited, kill: () => child.kill() };
}
