/**
 * `tfa watch` and `GET /runs/:id/events`: every event of a run's thread once and in order, as it lands,
 * across continue-as-new, with a pipeline's children (each labelled), then how the run ended.
 * The history long-poll (run-history.ts) says when the run moved; the `thread` query says what it recorded.
 */
import type { Client } from '@temporalio/client';
import { DEPLOY_WORKFLOW_TYPE } from '../core/constants';
import type { ThreadEvent } from '../core/thread';
import { deployStatusQuery } from '../workflows/messages';
import type { ThreadSnapshot } from '../workflows/messages';
import { afterCursor, type WatchCursor } from './watch-cursor';
import { changesState, childStarted, closeOf, continuedFrom, historyPages, type RunClose } from './run-history';

/** A pipeline's child, as its events are labelled. */
export interface ChildLabel {
  workflowId: string;
  agent: string;
}

/** What a follower yields; `id` resumes the follow right after this item (an SSE event id). */
export type WatchItem =
  | { type: 'event'; id: string; workflowId: string; child?: ChildLabel; event: ThreadEvent }
  | { type: 'child_started'; id: string; child: ChildLabel }
  | {
      type: 'end';
      id: string;
      workflowId: string;
      child?: ChildLabel;
      outcome: string;
      succeeded: boolean;
      reason?: string;
    }
  /** The long-poll ran out with nothing new: a keep-alive, no event. */
  | { type: 'idle' };

/** Pipeline outcomes that count as success for the exit code. */
const PIPELINE_SUCCESSES = ['deployed', 'already_deployed'];

/** One run's thread (runs.ts `thread`): the run named, or the workflow id's latest. */
export type ReadThread = (workflowId: string, runId?: string) => Promise<ThreadSnapshot>;

interface Follow {
  client: Client;
  readThread: ReadThread;
  signal?: AbortSignal;
}

/** Where an agent follow starts: a run, how many of its events were already sent, and the ids its predecessor sent. */
interface AgentStart {
  runId: string;
  sent: number;
  /** Ids of events the run carried over from the run before it; undefined: look them up if it continues one. */
  carried?: ReadonlySet<string>;
}

async function previousRunIds(follow: Follow, workflowId: string, runId: string): Promise<Set<string>> {
  const { events } = await follow.readThread(workflowId, runId);
  return new Set(events.map((event) => event.id));
}

/** Follows one agent workflow id run by run: each run's new events, then its continuation or its end. */
async function* followAgent(
  follow: Follow,
  workflowId: string,
  start: AgentStart,
  prefix = '',
  child?: ChildLabel,
): AsyncGenerator<WatchItem> {
  let { runId, sent, carried } = start;
  let ready = false; // a query before the run's first workflow task completes has no handler to answer it
  for (;;) {
    let close: RunClose | undefined;
    for await (const events of historyPages(follow.client, { workflowId, runId }, follow.signal)) {
      if (events.length === 0) yield { type: 'idle' };
      const previous = carried === undefined ? continuedFrom(events) : undefined;
      carried ??= previous ? await previousRunIds(follow, workflowId, previous) : new Set();
      ready ||= changesState(events);
      close = events.map(closeOf).find((found) => found !== undefined);
      if (!ready || !changesState(events)) continue;
      const snapshot = await follow.readThread(workflowId, runId).catch((error: unknown) => {
        if (close?.kind === 'closed') return null; // it ended before it had a thread (bad input): its close says how
        throw error;
      });
      if (!snapshot && close?.kind === 'closed') {
        const { outcome, reason } = close;
        yield { type: 'end', id: `${prefix}${runId}:end`, workflowId, child, outcome, succeeded: false, reason };
        return;
      }
      const { events: thread, state } = snapshot!;
      for (; sent < thread.length; sent++) {
        const event = thread[sent]!;
        if (!carried.has(event.id)) yield { type: 'event', id: `${prefix}${runId}:${sent}`, workflowId, child, event };
      }
      if (close?.kind === 'continued') {
        carried = new Set(thread.map((event) => event.id));
        break;
      }
      if (close) {
        const outcome = close.outcome === 'completed' ? state.status : close.outcome;
        const reason = close.reason ?? state.reason ?? undefined;
        yield {
          type: 'end',
          id: `${prefix}${runId}:end`,
          workflowId,
          child,
          outcome,
          succeeded: outcome === 'completed',
          reason,
        };
        return;
      }
    }
    if (close?.kind !== 'continued') return;
    [runId, sent, ready] = [close.runId, 0, false];
  }
}

/** Follows a deploy pipeline: each child as it starts, to its end, in the order they started; then the pipeline's outcome. */
async function* followPipeline(
  follow: Follow,
  workflowId: string,
  runId: string,
  resume?: Extract<WatchCursor, { kind: 'pipeline' }>,
): AsyncGenerator<WatchItem> {
  const handle = follow.client.workflow.getHandle(workflowId, runId);
  let ordinal = 0;
  for await (const events of historyPages(follow.client, { workflowId, runId }, follow.signal)) {
    if (events.length === 0) yield { type: 'idle' };
    for (const event of events) {
      const started = childStarted(event);
      if (started) {
        const index = ordinal++;
        if (resume && index < resume.child) continue;
        const { children } = await handle.query(deployStatusQuery);
        const agent = children.find((each) => each.workflowId === started.workflowId)?.agent ?? 'agent';
        const child = { workflowId: started.workflowId, agent };
        const resuming = resume?.child === index;
        const within = resuming ? resume?.within : undefined;
        resume = undefined;
        if (!resuming) yield { type: 'child_started', id: `${index}/start`, child };
        if (within?.kind === 'end') continue;
        // A child is its own workflow id: it is followed from its first run, or from where the cursor left it.
        const from: AgentStart =
          within?.kind === 'event'
            ? { runId: within.runId, sent: within.index + 1 }
            : { runId: started.runId, sent: 0, carried: new Set() };
        yield* followAgent(follow, started.workflowId, from, `${index}/`, child);
      }
      const close = closeOf(event);
      if (close?.kind !== 'closed') continue;
      const state = close.outcome === 'completed' ? await handle.query(deployStatusQuery) : undefined;
      const outcome = state?.outcome ?? close.outcome;
      const reason = state?.summary ?? close.reason;
      yield { type: 'end', id: 'end', workflowId, outcome, succeeded: PIPELINE_SUCCESSES.includes(outcome), reason };
      return;
    }
  }
}

/**
 * Every event of the run `workflowId` from the start of its current run (or right after `cursor`, an
 * item id a follow gave before), as it lands, ending with an `end` item; null when the cursor is the
 * run's end. The run and the cursor are checked before it resolves: an unknown id throws the client's
 * WorkflowNotFoundError, a cursor this follow never gave InvalidCursorError.
 */
export async function followRun(
  client: Client,
  readThread: ReadThread,
  workflowId: string,
  options: { cursor?: string; signal?: AbortSignal } = {},
): Promise<AsyncGenerator<WatchItem> | null> {
  const follow: Follow = { client, readThread, signal: options.signal };
  const { runId, type } = await client.workflow.getHandle(workflowId).describe();
  const pipeline = type === DEPLOY_WORKFLOW_TYPE;
  const cursor = afterCursor(options.cursor, pipeline);
  if (cursor?.kind === 'end') return null;
  if (pipeline) return followPipeline(follow, workflowId, runId, cursor?.kind === 'pipeline' ? cursor : undefined);
  const start: AgentStart =
    cursor?.kind === 'event' ? { runId: cursor.runId, sent: cursor.index + 1 } : { runId, sent: 0, carried: new Set() };
  return followAgent(follow, workflowId, start);
}
