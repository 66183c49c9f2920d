import type { WorkflowHandle } from '@temporalio/client';
import { readHistory } from '../../activities/deploybot/release-history';
import { layoutFor } from '../../activities/deploybot/release-layout';
import type { Environment } from '../../agents/environments';
import type { AgentState } from '../../core/reducer';
import type { ThreadEvent } from '../../core/thread';
import { statusQuery, threadQuery, type ThreadSnapshot } from '../../workflows/messages';

/** A thread as the order of what happened, without ids, times or arguments: `tool_call:run_tests`, ... */
export function eventSignature(events: readonly ThreadEvent[]): string[] {
  return events.map((event) =>
    'tool' in event && typeof event.tool === 'string' ? `${event.type}:${event.tool}` : event.type,
  );
}

/** How a run's thread differs from the run without faults: repeated ids or extra events, and missing ones (`diff` says which). */
export function compareThread(
  events: readonly ThreadEvent[],
  reference: readonly string[],
): { duplicates: number; lost: number; diff: string } {
  const repeatedIds = events.length - new Set(events.map((event) => event.id)).size;
  const counts = new Map<string, number>();
  for (const signature of eventSignature(events)) counts.set(signature, (counts.get(signature) ?? 0) + 1);
  for (const signature of reference) counts.set(signature, (counts.get(signature) ?? 0) - 1);
  const extra = [...counts.values()].filter((count) => count > 0).reduce((sum, count) => sum + count, 0);
  const missing = [...counts.values()].filter((count) => count < 0).reduce((sum, count) => sum - count, 0);
  const reordered = extra === 0 && missing === 0 && eventSignature(events).join() !== reference.join() ? 1 : 0;
  const diff = [...counts]
    .filter(([, count]) => count !== 0)
    .map(([signature, count]) => `${count > 0 ? '+' : ''}${count} ${signature}`);
  if (repeatedIds > 0) diff.push(`${repeatedIds} repeated ids`);
  if (reordered > 0) diff.push(`reordered: ${eventSignature(events).join(' ')}`);
  return { duplicates: repeatedIds + extra, lost: missing + reordered, diff: diff.join(', ') };
}

/** How many times each SHA was switched to in an environment: the release store's ledger (history.jsonl). */
export async function ledgerCounts(root: string, environment: Environment): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const entry of await readHistory(layoutFor(root, environment).historyFile)) {
    if (entry.kind === 'deploy') counts.set(entry.sha, (counts.get(entry.sha) ?? 0) + 1);
  }
  return counts;
}

const POLL_MS = 400;

/**
 * Polls each run's `status` (a killed worker or server makes a query fail: that is a miss, not an
 * error) until `predicate` holds for all, or the deadline passes. Returns the ids that never got there.
 */
export async function waitForAll(
  handles: readonly WorkflowHandle[],
  predicate: (state: AgentState) => boolean,
  timeoutMs: number,
): Promise<Set<string>> {
  const waiting = new Set(handles);
  const deadline = Date.now() + timeoutMs;
  while (waiting.size > 0 && Date.now() < deadline) {
    for (const handle of [...waiting]) {
      const state = await handle.query(statusQuery).catch(() => undefined);
      if (state && predicate(state)) waiting.delete(handle);
    }
    if (waiting.size > 0) await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  return new Set([...waiting].map((handle) => handle.workflowId));
}

/**
 * The run's thread, asking again while a query fails: after a kill, a query can go to the dead
 * worker's sticky queue and time out until the server gives up on it.
 */
export async function threadOf(handle: WorkflowHandle, timeoutMs = 120_000): Promise<ThreadSnapshot> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await handle.query(threadQuery);
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }
}

/** Statuses where a run has ended, or waits for a person on purpose: anything else after the deadline is stuck. */
export const DEFINED_END_STATES = new Set(['completed', 'failed', 'timed_out', 'max_steps_reached', 'needs_human']);
