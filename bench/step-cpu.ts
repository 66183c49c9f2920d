// Where a step's engine time goes: CPU milliseconds per step spent by the Temporal dev server and by the
// worker process (its main thread apart), read from /proc around a tool loop. CPU time, unlike wall
// time, barely moves when other processes load the machine, so it says which side to work on.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

/** CPU ms per step: the dev server, the whole worker process, and the worker's main thread (activities, the SDK's plumbing). */
export interface StepCpu {
  serverMs: number;
  workerMs: number;
  workerMainThreadMs: number;
}

const TICK_MS = 1000 / 100; // USER_HZ: /proc reports CPU time in ticks of 10 ms on Linux

/** utime + stime of one thread or process, in ms; 0 when it is gone. */
function cpuMs(statPath: string): number {
  try {
    const stat = fs.readFileSync(statPath, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return 0;
  }
}

/** The `temporal server start-dev` process this process started (TestWorkflowEnvironment.createLocal), if any. */
export function devServerPid(): number | undefined {
  const rows = execFileSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/));
  const descendants = new Set([String(process.pid)]);
  for (let depth = 0; depth < 4; depth++)
    for (const [pid, ppid] of rows) if (descendants.has(ppid!)) descendants.add(pid!);
  const server = rows.find(([pid, , ...args]) => descendants.has(pid!) && args.join(' ').includes('start-dev'));
  return server ? Number(server[0]) : undefined;
}

function sample(serverPid: number | undefined) {
  return {
    server: serverPid === undefined ? 0 : cpuMs(`/proc/${serverPid}/stat`),
    worker: cpuMs('/proc/self/stat'),
    main: cpuMs(`/proc/self/task/${process.pid}/stat`),
  };
}

/** Runs `loop` (which makes `steps` steps) and returns the CPU each side spent per step; null off Linux. */
export async function cpuPerStep(steps: number, loop: () => Promise<unknown>): Promise<StepCpu | null> {
  if (!fs.existsSync('/proc/self/stat')) return null;
  const serverPid = devServerPid();
  const before = sample(serverPid);
  await loop();
  const after = sample(serverPid);
  const perStep = (key: keyof typeof before) => Math.round(((after[key] - before[key]) / steps) * 10) / 10;
  return { serverMs: perStep('server'), workerMs: perStep('worker'), workerMainThreadMs: perStep('main') };
}
