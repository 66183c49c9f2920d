/**
 * `tfa fork`: a new run whose thread is a source run's thread up to a cut. The cut is checked here
 * first, for a clear refusal; the fork then reads the source's thread again itself (core/fork.ts).
 */
import type { Client } from '@temporalio/client';
import { AGENT_WORKFLOW_TYPE } from '../core/constants';
import { ForkRefusedError, type ForkPoint } from '../core/fork';
import { cutThread } from '../core/fork-cut';
import type { AgentWorkflowInput } from '../core/run';
import { namespaceFlag, shellQuote } from '../core/shell-quote';
import { threadQuery } from '../workflows/messages';

export interface ForkRequest {
  workflowId: string;
  /** An earlier run of the workflow id (its earlier_events note names it); default the latest. */
  runId?: string;
  at: ForkPoint;
  requestedBy?: string;
  /** Default `<source>-fork-<time>`. */
  newWorkflowId?: string;
}

export interface ForkStarted {
  workflowId: string;
  /** The run the cut was made in. */
  sourceRunId: string;
  /** The same start with the Temporal CLI. */
  temporalCommand: string;
}

/** `temporal workflow start` of the fork, naming the namespace unless it is `default`. */
function temporalStart(namespace: string, taskQueue: string, workflowId: string, input: AgentWorkflowInput): string {
  const inNamespace = namespaceFlag(namespace);
  return (
    `temporal workflow start${inNamespace} --type ${AGENT_WORKFLOW_TYPE} --task-queue ${shellQuote(taskQueue)}` +
    ` --workflow-id ${shellQuote(workflowId)} --input ${shellQuote(JSON.stringify(input))}`
  );
}

/** Checks the cut against the source's thread, then starts the fork pinned to the run it was checked in. */
export async function forkRun(client: Client, taskQueue: string, request: ForkRequest): Promise<ForkStarted> {
  const handle = client.workflow.getHandle(request.workflowId, request.runId);
  const { type, runId } = await handle.describe();
  if (type !== AGENT_WORKFLOW_TYPE)
    throw new ForkRefusedError(
      `${request.workflowId} is a ${type} run: fork one of its agent runs (tfa status lists its children)`,
    );
  const { events, state } = await handle.query(threadQuery);
  cutThread(events, request.at, runId);
  const workflowId = request.newWorkflowId ?? `${request.workflowId}-fork-${Date.now().toString(36)}`;
  const input: AgentWorkflowInput = {
    agent: state.agent,
    fork: { workflowId: request.workflowId, runId, at: request.at },
    ...(request.requestedBy ? { requestedBy: request.requestedBy } : {}),
  };
  await client.workflow.start(AGENT_WORKFLOW_TYPE, { taskQueue, workflowId, args: [input] });
  return {
    workflowId,
    sourceRunId: runId,
    temporalCommand: temporalStart(client.options.namespace, taskQueue, workflowId, input),
  };
}
