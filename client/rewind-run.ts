/**
 * `tfa rewind`: Temporal's reset of a run to the workflow task that started a model decision, so the
 * run replays up to it and the model decides it anew, in place (a new run of the same workflow id).
 * Nothing that reached the run after that point is reapplied: an approval sent for a request the run
 * made later must not land on the request the rewound run makes. Only an ended run is rewound.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { decodeUserMetadata } from '@temporalio/common/lib/internal-non-workflow';
import { temporal } from '@temporalio/proto';
import { findAgent } from '../agents';
import { findTool, type AgentDefinition } from '../core/agent';
import { AGENT_WORKFLOW_TYPE } from '../core/constants';
import type { ForkPoint } from '../core/fork';
import { assertRewindSafe, RewindRefusedError, rewindStep } from '../core/rewind';
import { namespaceFlag, shellQuote } from '../core/shell-quote';
import { threadQuery } from '../workflows/messages';

const { EventType, ResetReapplyExcludeType, ResetReapplyType } = temporal.api.enums.v1;

/** Every kind of event Temporal could carry over a reset: none is. */
const REAPPLY_NOTHING = [
  ResetReapplyExcludeType.RESET_REAPPLY_EXCLUDE_TYPE_SIGNAL,
  ResetReapplyExcludeType.RESET_REAPPLY_EXCLUDE_TYPE_UPDATE,
  ResetReapplyExcludeType.RESET_REAPPLY_EXCLUDE_TYPE_NEXUS,
  ResetReapplyExcludeType.RESET_REAPPLY_EXCLUDE_TYPE_CANCEL_REQUEST,
];

/** The model call's summary (workflows/model-call.ts) names its step. */
const MODEL_CALL_SUMMARY = / step (\d+): choose the next tool/;

export interface RewindRequest {
  workflowId: string;
  to: ForkPoint;
  by?: string;
}

export interface Rewound {
  /** The step the run went back to: the one asked for, or the first of the read-only steps decided with it. */
  step: number;
  asked: number;
  /** The run that replaced the rewound one (same workflow id). */
  runId: string;
  /** The same reset with the Temporal CLI. */
  temporalCommand: string;
}

/**
 * The WorkflowTaskCompleted event whose task scheduled the model call that decided `step`, in this run's
 * history, and the step that call began with: a step chained after read-only steps was decided in the
 * call of the chain's first step, so the run goes back there (the steps between are read-only). The
 * history is checked again for a tool that acts scheduled after it (one may have started since the
 * thread was read).
 */
async function decisionTaskOf(client: Client, workflowId: string, runId: string, step: number, agent: AgentDefinition) {
  const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
  let decision: { eventId: Long; step: number; acting?: string } | undefined;
  for (const event of history.events ?? []) {
    if (event.eventType !== EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) continue;
    const { activityType, workflowTaskCompletedEventId } = event.activityTaskScheduledEventAttributes!;
    if (activityType?.name !== 'chooseNextTool' && (!decision || activityType?.name !== 'executeTool')) continue;
    const { staticSummary = '' } = await decodeUserMetadata(client.options.loadedDataConverter, event.userMetadata);
    const began = Number(MODEL_CALL_SUMMARY.exec(staticSummary)?.[1]);
    if (began <= step) decision = { eventId: workflowTaskCompletedEventId!, step: began };
    const tool = activityType?.name === 'executeTool' ? staticSummary.split(' ')[0]! : undefined;
    if (decision && !decision.acting && tool && !findTool(agent, tool)?.readOnly)
      decision.acting = `${tool} was started at event ${event.eventId?.toString()} of run ${runId}, after step ${decision.step} began`;
  }
  if (decision?.acting && decision.step < step)
    throw new RewindRefusedError(
      `step ${step} was decided in the activity of the tool before it, not by a model call of its own, and ${decision.acting}: a rewind would have to go back before that tool; fork instead (tfa fork ${workflowId} --at ${step})`,
    );
  if (decision?.acting)
    throw new RewindRefusedError(`${decision.acting}: what it did stays done; fork instead (tfa fork)`);
  if (decision) return decision;
  throw new RewindRefusedError(
    `step ${step} was not decided in run ${runId} of ${workflowId} (a decision made before it continued as new, or one that never called the model): fork instead (tfa fork)`,
  );
}

/** Checks that going back is safe, then resets the latest run of `workflowId` to the task that began the step. */
export async function rewindRun(client: Client, request: RewindRequest): Promise<Rewound> {
  const { workflowId } = request;
  const handle = client.workflow.getHandle(workflowId);
  const { type, runId, parentExecution, status } = await handle.describe();
  if (type !== AGENT_WORKFLOW_TYPE)
    throw new RewindRefusedError(`${workflowId} is a ${type} run: rewind goes back in one agent run`);
  if (parentExecution)
    throw new RewindRefusedError(
      `${workflowId} is a child of ${parentExecution.workflowId}, which waits on this very run: fork it instead (tfa fork)`,
    );
  const { events, state } = await handle.query(threadQuery);
  const step = rewindStep(events, request.to, workflowId);
  const agent = findAgent(state.agent)!;
  assertRewindSafe(agent, events, step);
  const { eventId, step: began } = await decisionTaskOf(client, workflowId, runId, step, agent);
  // A reset takes no precondition: in an open run an approval or a reply landing after these checks could
  // start a tool that acts before the reset, and the rewound run would not know it ran.
  if (status.name === 'RUNNING')
    throw new RewindRefusedError(
      `${workflowId} is still running: a tool could act between this check and the reset; rewind it once it has ended (reject its request, or temporal workflow cancel/terminate), or fork it now (tfa fork)`,
    );
  const reason = `tfa rewind to step ${began}${request.by ? ` by ${request.by}` : ''}`;
  const { namespace } = client.options;
  const reset = await client.workflowService.resetWorkflowExecution({
    namespace,
    workflowExecution: { workflowId, runId },
    workflowTaskFinishEventId: eventId,
    reason,
    requestId: randomUUID(),
    resetReapplyType: ResetReapplyType.RESET_REAPPLY_TYPE_NONE,
    resetReapplyExcludeTypes: REAPPLY_NOTHING,
  });
  const inNamespace = namespaceFlag(namespace);
  return {
    step: began,
    asked: step,
    runId: reset.runId,
    temporalCommand:
      `temporal workflow reset${inNamespace} --workflow-id ${shellQuote(workflowId)} --run-id ${runId}` +
      ` --event-id ${eventId.toString()} --reason ${shellQuote(reason)} --reapply-exclude All`,
  };
}
