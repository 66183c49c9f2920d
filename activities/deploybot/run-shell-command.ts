import { spawn } from 'node:child_process';
import { OutputTail } from './output-tail';

export interface ShellRunResult {
  exitCode: number | null;
  timedOut: boolean;
  durationMs: number;
  output: string;
}

const KILL_GRACE_MS = 5_000;

/**
 * Runs `command` with /bin/sh in its own process group, stdout and stderr interleaved, killed whole
 * on timeout. `env` is the command's whole environment (see commandEnvironment): nothing else of the
 * worker's is inherited.
 */
export function runShellCommand(
  command: string,
  cwd: string,
  timeoutMs: number,
  env: Record<string, string>,
): Promise<ShellRunResult> {
  const startedAt = Date.now();
  const output = new OutputTail();
  const child = spawn('/bin/sh', ['-c', command], { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  for (const stream of [child.stdout, child.stderr]) {
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => output.append(chunk));
  }

  let timedOut = false;
  const timers: NodeJS.Timeout[] = [];
  timers.push(
    setTimeout(() => {
      timedOut = true;
      killGroup(child.pid, 'SIGTERM');
      timers.push(setTimeout(() => killGroup(child.pid, 'SIGKILL'), KILL_GRACE_MS));
    }, timeoutMs),
  );
  // Background processes left by the command would hold the pipes open and hang us.
  child.on('exit', () => killGroup(child.pid, 'SIGKILL'));

  return new Promise((resolve, reject) => {
    child.on('error', (error) => {
      timers.forEach(clearTimeout);
      reject(error);
    });
    child.on('close', (code) => {
      timers.forEach(clearTimeout);
      const timeoutNote = timedOut ? `\n[timed out after ${timeoutMs} ms; the process group was killed]` : '';
      const durationMs = Date.now() - startedAt;
      resolve({ exitCode: timedOut ? null : code, timedOut, durationMs, output: output.compact() + timeoutNote });
    });
  });
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}
