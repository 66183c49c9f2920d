/**
 * Server-side settings for the Temporal dev server that `npm start`, the tests and the benches run.
 * The dev server has one history shard, and its transfer queue (the task that hands a new workflow
 * or activity task to matching) is polled at most `history.transferProcessorMaxPollRPS` times a
 * second: 20 by default, so each of a step's ~4 hand-offs waits up to 50 ms. Measured with
 * `npm run bench:runtime` (scripted zero-latency model, 100 steps): README, "Dev server settings".
 */
export const DEV_SERVER_DYNAMIC_CONFIG: Readonly<Record<string, string>> = {
  // Read new transfer tasks as soon as they are written instead of at most 20 times a second.
  'history.transferProcessorMaxPollRPS': '10000',
  // Timers (approval timeouts, retry backoff) use the same poll limit on their own queue.
  'history.timerProcessorMaxPollRPS': '10000',
  // A worker with a free slot gets the next activity in the reply to the workflow task that schedules it.
  'system.enableActivityEagerExecution': 'true',
  // One task queue partition: a poll and a task always meet without forwarding between partitions.
  'matching.numTaskqueueReadPartitions': '1',
  'matching.numTaskqueueWritePartitions': '1',
};

/**
 * SQLite in WAL mode with normal sync: a commit appends to the log instead of rewriting pages
 * (crash-safe for the server; a power cut may lose the last commits).
 */
export const DEV_SERVER_SQLITE_PRAGMAS: Readonly<Record<string, string>> = {
  journal_mode: 'wal',
  synchronous: 'normal',
};

/** The settings above as `temporal server start-dev` arguments. */
export function devServerTuningArgs(options: { sqlite: boolean } = { sqlite: true }): string[] {
  const dynamic = Object.entries(DEV_SERVER_DYNAMIC_CONFIG).flatMap(([key, value]) => [
    '--dynamic-config-value',
    `${key}=${value}`,
  ]);
  const pragmas = options.sqlite
    ? Object.entries(DEV_SERVER_SQLITE_PRAGMAS).flatMap(([key, value]) => ['--sqlite-pragma', `${key}=${value}`])
    : [];
  return [...dynamic, ...pragmas];
}
