import v8 from 'node:v8';

/**
 * The cap, in MB, on each young-generation semi-space of the isolates that run workflows. V8 grows a
 * busy isolate's semi-spaces to 16 MB (48 MB of young generation with its large-object space) and
 * keeps them; the workflow thread allocates fast (every activation, every replay). With the cap, V8
 * gave the thread's free pages back after a burst of 1,000 runs started, which its default did not
 * always do (README "Benchmarks"). 2 MB did as well, at ~3 ms more per read-only step.
 */
export const WORKFLOW_SEMI_SPACE_MB = 8;

/**
 * How far, in percent, V8 lets a heap grow past what its last full collection kept before it collects
 * again. V8's own factor (up to 4x for a small heap) let a burst of 1,000 run starts grow the heaps by
 * ~100 MB that stayed after the runs went quiet (V8 gives pages back only after a memory-reducing
 * collection, which an idle worker may never run); at 10% the burst left ~50 (README "Benchmarks").
 */
export const HEAP_GROWING_PERCENT = 10;

/**
 * Caps the young generation and the heap growth of every V8 isolate started after this call. V8 flags
 * are process-wide and read when an isolate starts: call it before Worker.create starts the SDK's
 * workflow threads. The main thread, started already, keeps its own semi-space size.
 */
export function capWorkflowThreadHeap(semiSpaceMb: number = WORKFLOW_SEMI_SPACE_MB): void {
  v8.setFlagsFromString(`--max-semi-space-size=${semiSpaceMb}`);
  v8.setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
