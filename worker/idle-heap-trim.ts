import v8 from 'node:v8';
import vm from 'node:vm';

/**
 * How often, in ms, the worker checks whether it has gone quiet. Longer than the 5 seconds over which
 * V8 judges the allocation rate: its full collection shrinks the young generation only when that is low.
 */
export const IDLE_CHECK_MS = 10_000;

/** CPU time below this share of one core over a whole check is quiet (an idle worker's pollers use well under it). */
export const QUIET_CPU_SHARE = 0.02;

/** A young generation above this many MB on a quiet process is worth a collection (V8 starts it at 1 MB). */
export const YOUNG_MB_WORTH_A_COLLECTION = 4;

/** Collections per quiet spell at most, for a young generation that a collection did not shrink (a recent allocation). */
export const TRIES_PER_QUIET_SPELL = 3;

export interface HeapTrim {
  /** The main thread's young generation and whole heap, committed MB, before and after the collection. */
  youngMbBefore: number;
  youngMbAfter: number;
  heapMbBefore: number;
  heapMbAfter: number;
}

export interface IdleHeapTrimOptions {
  checkEveryMs?: number;
  quietCpuShare?: number;
  onTrim?: (trim: HeapTrim) => void;
}

export interface IdleHeapTrimmer {
  stop(): void;
}

let collectGarbage: (() => void) | undefined;

/**
 * V8's gc(), taken once per process. The flag is on only while one throwaway context is made: V8 flags
 * are process-wide, so a context another thread made at that moment would get gc too, which is why
 * startWorker asks for it before the workflow thread exists. A process started with --expose-gc has it.
 */
function fullCollection(): () => void {
  if (collectGarbage) return collectGarbage;
  if (typeof globalThis.gc === 'function') return (collectGarbage = globalThis.gc);
  const exposedAlready = vm.runInNewContext('typeof gc') === 'function';
  if (!exposedAlready) v8.setFlagsFromString('--expose-gc');
  try {
    collectGarbage = vm.runInNewContext('gc') as () => void;
  } finally {
    if (!exposedAlready) v8.setFlagsFromString('--no-expose-gc');
  }
  return collectGarbage;
}

const megabytes = (bytes: number) => Math.round(bytes / 1e5) / 10;
const youngMb = () =>
  megabytes(v8.getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')!.space_size);
const heapMb = () => megabytes(v8.getHeapStatistics().total_heap_size);

/**
 * Gives back the main thread's young generation once the process goes quiet. Under load V8 grows it
 * from 1 to 32 MB and shrinks it only in a full collection at a low allocation rate or a memory-reducing
 * one; a quiet worker often runs neither, because V8's memory reducer starts only after the old
 * generation grows. A worker holding 1,000 runs that wait days for a person kept it (README
 * "Benchmarks"). At each quiet check (CPU under quietCpuShare) with the young generation above
 * YOUNG_MB_WORTH_A_COLLECTION, one full collection, up to TRIES_PER_QUIET_SPELL while it does not
 * shrink; none while work goes on. Start it before the SDK's workflow thread (fullCollection says why).
 */
export function trimHeapWhenIdle(options: IdleHeapTrimOptions = {}): IdleHeapTrimmer {
  const checkEveryMs = options.checkEveryMs ?? IDLE_CHECK_MS;
  const quietCpuMicros = checkEveryMs * 1000 * (options.quietCpuShare ?? QUIET_CPU_SHARE);
  let collect: () => void;
  try {
    collect = fullCollection();
  } catch (error) {
    console.warn(`tfa: the idle heap trim is off: V8's gc() is not available (${String(error)})`);
    return { stop() {} };
  }
  let tries = 0;
  let last = process.cpuUsage();
  const timer = setInterval(() => {
    const now = process.cpuUsage();
    const busy = now.user - last.user + now.system - last.system > quietCpuMicros;
    last = now;
    if (busy) {
      tries = 0;
      return;
    }
    const young = youngMb();
    if (young <= YOUNG_MB_WORTH_A_COLLECTION || tries >= TRIES_PER_QUIET_SPELL) return;
    tries++;
    const heapMbBefore = heapMb();
    collect();
    options.onTrim?.({ youngMbBefore: young, youngMbAfter: youngMb(), heapMbBefore, heapMbAfter: heapMb() });
    // The collection's own CPU is not work.
    last = process.cpuUsage();
  }, checkEveryMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
