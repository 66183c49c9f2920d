import { Context } from '@temporalio/activity';
import { temporal } from '@temporalio/proto';

const { EventType } = temporal.api.enums.v1;

/**
 * Whether nothing reached the run since it scheduled this activity: its newest history event is still
 * this activity's scheduling (a signal, update or cancel request would come after it). One read of one
 * event; no workflow task, unlike a query. Without a client (a worker given no connection) it says no.
 */
async function runUnchangedSinceScheduled(): Promise<boolean> {
  const context = Context.current();
  const { workflowExecution, workflowNamespace, activityId } = context.info;
  let client;
  try {
    client = context.client;
  } catch {
    return false;
  }
  if (!workflowExecution) return false;
  const { history } = await client.workflowService.getWorkflowExecutionHistoryReverse({
    namespace: workflowNamespace,
    execution: workflowExecution,
    maximumPageSize: 1,
  });
  const newest = history?.events?.[0];
  return (
    newest?.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED &&
    newest.activityTaskScheduledEventAttributes?.activityId === activityId
  );
}

/**
 * How long a chain may decide between two checks that nothing reached the run. The read costs the
 * server about as much as a decision on a model that answers at once; a decision made after something
 * reached the run is dropped by the workflow anyway (workflows/model-call.ts, nextChainedDecision), so
 * an unchecked one can only be a wasted call. A real model's call takes longer than this: each of its
 * decisions is checked.
 */
export const RUN_CHECK_INTERVAL_MS = 50;

/**
 * Whether nothing reached the run, for each decision an activity makes ahead of the workflow: read from
 * the server once `intervalMs` have passed since the activity's attempt was scheduled or since the last
 * read, taken as yes in between. A failed read says no.
 */
export function runChangeChecks(intervalMs = RUN_CHECK_INTERVAL_MS): () => Promise<boolean> {
  let checkedAt = Context.current().info.currentAttemptScheduledTimestampMs;
  return async () => {
    if (Date.now() - checkedAt < intervalMs) return true;
    checkedAt = Date.now();
    return runUnchangedSinceScheduled().catch(() => false);
  };
}
