/**
 * A run's history, read as Temporal's own `result()` does: long-polls (`waitNewEvent`) that return as
 * soon as the run records something, so a follower wakes when the run moves and never sleeps on a timer.
 */
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

export type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
const EventType = temporal.api.enums.v1.EventType;

/** How a run closed: `continued` names the run that takes over its thread (continue-as-new). */
export type RunClose =
  | { kind: 'continued'; runId: string }
  | { kind: 'closed'; outcome: 'completed' | 'failed' | 'timed_out' | 'cancelled' | 'terminated'; reason?: string };

/** One call that `signal` aborts; its listener goes when the call ends, so a long follow adds none per page. */
async function abortable<T>(client: Client, signal: AbortSignal, call: () => Promise<T>): Promise<T> {
  signal.throwIfAborted();
  const own = new AbortController();
  const forward = () => own.abort(signal.reason);
  signal.addEventListener('abort', forward, { once: true });
  try {
    return await client.withAbortSignal(own.signal, call);
  } finally {
    signal.removeEventListener('abort', forward);
  }
}

/** The pages of one run's history in order, each as soon as it exists; an empty page: the long-poll ran out with nothing new. */
export async function* historyPages(
  client: Client,
  execution: { workflowId: string; runId: string },
  signal?: AbortSignal,
): AsyncGenerator<HistoryEvent[]> {
  let nextPageToken: Uint8Array | undefined;
  for (;;) {
    const request = { namespace: client.options.namespace, execution, nextPageToken, waitNewEvent: true };
    const read = () => client.workflowService.getWorkflowExecutionHistory(request);
    const response = signal ? await abortable(client, signal, read) : await read();
    yield response.history?.events ?? [];
    // A closed run read to its end has no next page.
    if (!response.nextPageToken?.length) return;
    nextPageToken = response.nextPageToken;
  }
}

/** Whether the run's state may have changed in these events: only a completed workflow task or the close changes it. */
export function changesState(events: readonly HistoryEvent[]): boolean {
  return events.some((event) => event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED || closeOf(event));
}

/** The run this one continues (continue-as-new), from its first event. */
export function continuedFrom(events: readonly HistoryEvent[]): string | undefined {
  const started = events.find((event) => event.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED);
  return started?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId || undefined;
}

/** The child run a ChildWorkflowExecutionStarted event names. */
export function childStarted(event: HistoryEvent): { workflowId: string; runId: string } | undefined {
  if (event.eventType !== EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED) return undefined;
  const execution = event.childWorkflowExecutionStartedEventAttributes?.workflowExecution;
  return execution?.workflowId && execution.runId
    ? { workflowId: execution.workflowId, runId: execution.runId }
    : undefined;
}

/** How the run closed, if this is its close event. */
export function closeOf(event: HistoryEvent): RunClose | undefined {
  switch (event.eventType) {
    case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW:
      return {
        kind: 'continued',
        runId: event.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? '',
      };
    case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED:
      return { kind: 'closed', outcome: 'completed' };
    case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED:
      return {
        kind: 'closed',
        outcome: 'failed',
        reason: event.workflowExecutionFailedEventAttributes?.failure?.message ?? undefined,
      };
    case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT:
      return { kind: 'closed', outcome: 'timed_out', reason: 'the workflow execution timeout passed' };
    case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED:
      return { kind: 'closed', outcome: 'cancelled' };
    case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED:
      return {
        kind: 'closed',
        outcome: 'terminated',
        reason: event.workflowExecutionTerminatedEventAttributes?.reason ?? undefined,
      };
    default:
      return undefined;
  }
}
