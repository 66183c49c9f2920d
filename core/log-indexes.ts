import { callKey, RECENT_ITEMS_KEPT } from './budget';
import { errorKey } from './compact-errors';
import type { ThreadEvent } from './thread';

/**
 * Where the items the budget cares about are in a growing event log, kept up to date one item at a
 * time: the anchors protectedItems keeps, the latest result of each call key (supersededResults)
 * and the error items (core/compact-errors.ts). Positions are item indexes.
 */
export class LogIndexes {
  /** The first user message: the task. */
  task = -1;
  private lastRejection = -1;
  private lastReply = -1;
  private earlierEvents = -1;
  /** The latest request event of each request id, and the call it asks about. */
  private readonly requests = new Map<string, { index: number; callId?: string }>();
  /** The error item of each fold key. */
  readonly errors = new Map<string, number>();
  private readonly calls = new Map<string, number[]>();
  private readonly keysSoFar = new Map<string, string>();
  private readonly latestResults = new Map<string, number>();
  private readonly resultCallIds = new Set<string>();

  /**
   * @param callKeys each call id's key, given when a whole log is indexed at once: a result's key then
   * comes from the log's last call with its id, wherever that call is (as supersededResults reads it).
   * Calls appended later have new ids (a reused one compacts the log again).
   */
  constructor(private readonly callKeys?: ReadonlyMap<string, string>) {}

  /** Indexes the item appended at `index`; returns the position of the result it supersedes, if any. */
  register(event: ThreadEvent, index: number): number | undefined {
    switch (event.type) {
      case 'user_message':
        if (this.task < 0) this.task = index;
        break;
      case 'approval_rejected':
        this.lastRejection = index;
        break;
      case 'human_reply':
        this.lastReply = index;
        break;
      case 'earlier_events':
        if (this.earlierEvents < 0) this.earlierEvents = index;
        break;
      case 'approval_requested':
      case 'human_input_requested':
        this.requests.set(event.requestId, { index, callId: event.callId });
        break;
      case 'escalated':
        this.requests.set(event.requestId, { index });
        break;
      case 'error':
        this.errors.set(errorKey(event), index);
        break;
      case 'tool_call':
        this.calls.set(event.callId, [...(this.calls.get(event.callId) ?? []), index]);
        this.keysSoFar.set(event.callId, callKey(event.tool, event.args));
        break;
      case 'tool_result':
        return this.supersede(event.callId, event.tool, index);
    }
    return undefined;
  }

  private supersede(callId: string, tool: string, index: number): number | undefined {
    this.resultCallIds.add(callId);
    const key = this.callKeys?.get(callId) ?? this.keysSoFar.get(callId) ?? JSON.stringify([tool]);
    const superseded = this.latestResults.get(key);
    this.latestResults.set(key, index);
    return superseded;
  }

  /** A call with this id would change the key of a result already indexed (or of an earlier call's results). */
  callIdSeen(callId: string): boolean {
    return this.keysSoFar.has(callId) || this.resultCallIds.has(callId);
  }

  /** core/budget.ts protectedItems for a log of `length` items, sorted. */
  protectedItems(length: number, pendingRequestId: string | undefined): number[] {
    const keep = new Set<number>();
    for (let index = Math.max(0, length - RECENT_ITEMS_KEPT); index < length; index++) keep.add(index);
    const pending = pendingRequestId === undefined ? undefined : this.requests.get(pendingRequestId);
    const asked =
      pending?.callId === undefined
        ? -1
        : ((this.calls.get(pending.callId) ?? []).findLast((index) => index < pending.index) ?? -1);
    const anchors = [this.task, this.lastRejection, this.lastReply, pending?.index ?? -1, asked, this.earlierEvents];
    anchors.filter((index) => index >= 0).forEach((index) => keep.add(index));
    return [...keep].sort((a, b) => a - b);
  }
}
