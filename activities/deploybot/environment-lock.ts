const queues = new Map<string, Promise<void>>();

/**
 * Runs `task` after every earlier task for the same key has settled. Deploys and rollbacks of one
 * environment read history, then switch `current`; interleaving two of them would lose an entry.
 * This serialises within one process only (one worker per store root is assumed).
 */
export async function withEnvironmentLock<T>(key: string, task: () => Promise<T>): Promise<T> {
  const previous = queues.get(key) ?? Promise.resolve();
  const run = previous.then(task);
  const settled = run.then(
    () => undefined,
    () => undefined,
  );
  queues.set(key, settled);
  try {
    return await run;
  } finally {
    if (queues.get(key) === settled) queues.delete(key);
  }
}
