import { WorkflowExecutionAlreadyStartedError, WorkflowIdConflictPolicy, WorkflowIdReusePolicy, type Client, type WorkflowExecutionInfo } from '@temporalio/client';
import { AGENT_WORKFLOW_TYPE, SEARCH_ATTRIBUTE_NAMES } from '../core/constants';
import type { ApproveInput, RejectInput, ReplyInput, PauseInput, ResumeInput } from '../core/decisions';
import type { AgentWorkflowInput } from '../core/run';
import type { AgentStatus } from '../core/thread';
import { tfaStatusKey } from '../workflows/search-attributes';
import { decideUpdate, pauseSignal, replySignal, resumeSignal, threadQuery, type DecideResult, type ThreadView } from '../workflows/messages';

/** Workflow type of the DeployBot DAG (workflows/deploy.ts); clients start it by name. */
export const DEPLOY_WORKFLOW_TYPE = 'deployWorkflow';

/** What a webhook or a slash command asks `deployWorkflow` to deploy. */
export interface DeployRequest {
  repo?: string;
  ref: string;
  requestedBy: string;
}

export interface RunSummary {
  workflowId: string;
  type: string;
  /** Temporal's execution status: RUNNING, COMPLETED, FAILED... */
  executionStatus: string;
  /** The agent's own status (search attribute TfaStatus), when the run has set it. */
  status?: string;
  startTime: Date;
}

function summarize(run: WorkflowExecutionInfo): RunSummary {
  const status = run.typedSearchAttributes.get(tfaStatusKey);
  return {
    workflowId: run.workflowId,
    type: run.type,
    executionStatus: run.status.name,
    ...(status !== undefined ? { status } : {}),
    startTime: run.startTime,
  };
}

/** Visibility query: runs whose agent status is `status`, else every agent run. */
export function listQuery(status?: AgentStatus): string {
  return status ? `${SEARCH_ATTRIBUTE_NAMES.status} = '${status}'` : `WorkflowType = '${AGENT_WORKFLOW_TYPE}'`;
}

/** Operations on runs shared by the CLI and the HTTP gateway: each is one Temporal call. */
export function createRuns(client: Client, taskQueue: string) {
  return {
    async launch(input: AgentWorkflowInput, workflowId?: string): Promise<string> {
      const id = workflowId ?? `${input.agent}-${Date.now().toString(36)}`;
      await client.workflow.start(AGENT_WORKFLOW_TYPE, { taskQueue, workflowId: id, args: [input] });
      return id;
    },
    /**
     * Starts `deployWorkflow` exactly once per id: a second start with the same id, running or
     * closed, is refused by Temporal and reported as a duplicate (webhook redeliveries).
     */
    async startDeploy(request: DeployRequest, workflowId: string): Promise<{ workflowId: string; duplicate: boolean }> {
      try {
        await client.workflow.start(DEPLOY_WORKFLOW_TYPE, {
          taskQueue, workflowId, args: [request],
          workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
          workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
        });
        return { workflowId, duplicate: false };
      } catch (error) {
        if (error instanceof WorkflowExecutionAlreadyStartedError) return { workflowId, duplicate: true };
        throw error;
      }
    },
    /** Approve through the update, so a refused decision is answered with its reason. */
    approve: (workflowId: string, input: ApproveInput): Promise<DecideResult> =>
      client.workflow.getHandle(workflowId).executeUpdate(decideUpdate, { args: [{ decision: 'approve', ...input }] }),
    reject: (workflowId: string, input: RejectInput): Promise<DecideResult> =>
      client.workflow.getHandle(workflowId).executeUpdate(decideUpdate, { args: [{ decision: 'reject', ...input }] }),
    reply: (workflowId: string, input: ReplyInput) => client.workflow.getHandle(workflowId).signal(replySignal, input),
    pause: (workflowId: string, input: PauseInput) => client.workflow.getHandle(workflowId).signal(pauseSignal, input),
    resume: (workflowId: string, input: ResumeInput) => client.workflow.getHandle(workflowId).signal(resumeSignal, input),
    thread: (workflowId: string): Promise<ThreadView> => client.workflow.getHandle(workflowId).query(threadQuery),
    /** Newest first, as Temporal's visibility returns them. */
    async list(options: { limit?: number; status?: AgentStatus } = {}): Promise<RunSummary[]> {
      const runs: RunSummary[] = [];
      const limit = options.limit ?? 20;
      for await (const run of client.workflow.list({ query: listQuery(options.status), pageSize: limit })) {
        runs.push(summarize(run));
        if (runs.length >= limit) break;
      }
      return runs;
    },
  };
}
export type Runs = ReturnType<typeof createRuns>;
