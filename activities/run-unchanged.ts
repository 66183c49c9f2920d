import { Context } from '@temporalio/activity';
import { temporal } from '@temporalio/proto';

const { EventType } = temporal.api.enums.v1;

/**
 * Whether nothing reached the run since it scheduled this activity: its newest history event is still
 * this activity's scheduling (a signal, update or cancel request would come after it). One read of one
 * event; no workflow task, unlike a query. Without a client (a worker given no connection) it says no.
 */
export async function runUnchangedSinceScheduled(): Promise<boolean> {
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
