import v8 from 'node:v8';
import vm from 'node:vm';

/**
 * How often, in ms, the worker checks whether it has gone quiet. Longer than V8's 5-second window of
 * allocation rate: V8 shrinks the young generation in a full collection only when that rate is low.
 */
export const IDLE_CHECK_MS = 10_000;

/** CPU time below this share of one core over a whole check is quiet (an idle worker's pollers use well under it). */
export const QUIET_CPU_SHARE = 0.02;

export interface HeapTrim {
  /** The main thread's heap, committed MB, before and after the collection. */
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

/**
 * V8's gc(), without exposing it: the flag is on only while one throwaway context is made, so no context
 * made later (a workflow's) gets it. A process started with --expose-gc has it already.
 */
function fullCollection(): () => void {
  if (typeof globalThis.gc === 'function') return globalThis.gc;
  v8.setFlagsFromString('--expose-gc');
  try {
    return vm.runInNewContext('gc') as () => void;
  } finally {
    v8.setFlagsFromString('--no-expose-gc');
  }
}

const committedHeapMb = () => Math.round(v8.getHeapStatistics().total_heap_size / 1e5) / 10;

/**
 * Once the process goes quiet after work, runs one full collection on the main thread. Under load V8
 * grows the main thread's young generation to 32 MB and shrinks it only in a full collection at a low
 * allocation rate, which a quiet worker never runs: V8's memory reducer starts on old-generation growth
 * alone. A worker holding 1,000 runs that wait days for a person kept that memory (README "Benchmarks").
 * One collection per quiet spell, none while work goes on: a check with CPU above quietCpuShare is work.
 */
export function trimHeapWhenIdle(options: IdleHeapTrimOptions = {}): IdleHeapTrimmer {
  const checkEveryMs = options.checkEveryMs ?? IDLE_CHECK_MS;
  const quietCpuMicros = checkEveryMs * 1000 * (options.quietCpuShare ?? QUIET_CPU_SHARE);
  const collect = fullCollection();
  let workedSinceTrim = false;
  let last = process.cpuUsage();
  const timer = setInterval(() => {
    const used = process.cpuUsage(last);
    last = process.cpuUsage();
    if (used.user + used.system > quietCpuMicros) {
      workedSinceTrim = true;
      return;
    }
    if (!workedSinceTrim) return;
    workedSinceTrim = false;
    const heapMbBefore = committedHeapMb();
    collect();
    options.onTrim?.({ heapMbBefore, heapMbAfter: committedHeapMb() });
    // The collection's own CPU is not work.
    last = process.cpuUsage();
  }, checkEveryMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
