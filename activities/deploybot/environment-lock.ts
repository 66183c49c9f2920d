import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { lock } from 'proper-lockfile';

const queues = new Map<string, Promise<void>>();

/**
 * A lock whose holder died (a worker SIGKILLed mid-deploy) is taken over after this long; a live
 * holder refreshes it every half of it. The deploy's retry on another worker waits at most this.
 */
const STALE_LOCK_MS = 10_000;
/** Waits for another process's deploy up to about 5 minutes (a deploy holds the lock for an export and a rename). */
const LOCK_RETRIES = { retries: 600, factor: 1.2, minTimeout: 20, maxTimeout: 500 };

/**
 * Runs `task` after every earlier task for the same key has settled, in this process and in every
 * other process sharing the directory `key` (worker replicas on one release store volume). Deploys
 * and rollbacks of one environment read history, then switch `current`; interleaving two of them
 * would lose an entry or leave `current` on an older release than the history's last.
 */
export async function withEnvironmentLock<T>(key: string, task: () => Promise<T>): Promise<T> {
  const previous = queues.get(key) ?? Promise.resolve();
  const run = previous.then(() => withDirectoryLock(key, task));
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

/** Across processes: `<directory>.lock`, created atomically (mkdir) beside the directory, which need not exist yet. */
async function withDirectoryLock<T>(directory: string, task: () => Promise<T>): Promise<T> {
  await mkdir(path.dirname(directory), { recursive: true });
  const release = await lock(directory, {
    realpath: false,
    lockfilePath: `${directory}.lock`,
    stale: STALE_LOCK_MS,
    retries: LOCK_RETRIES,
    // Only when this process stalled past STALE_LOCK_MS and another took over; the default would throw from a timer.
    onCompromised: (error) =>
      console.warn(`[tfa] the lock on ${directory} was taken over while held: ${error.message}`),
  });
  try {
    return await task();
  } finally {
    await release().catch(() => undefined); // already released when compromised
  }
}
