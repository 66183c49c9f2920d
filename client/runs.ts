import type { Client } from '@temporalio/client';
import { AGENT_WORKFLOW_TYPE } from '../core/constants';
import type { ApproveInput, RejectInput, ReplyInput, PauseInput, ResumeInput } from '../core/decisions';
import type { AgentWorkflowInput } from '../core/run';
import { decideUpdate, pauseSignal, replySignal, resumeSignal, threadQuery, type DecideResult, type ThreadView } from '../workflows/messages';

/** Operations on runs shared by the CLI and the HTTP gateway: each is one Temporal call. */
export function createRuns(client: Client, taskQueue: string) {
  return {
    async launch(input: AgentWorkflowInput, workflowId?: string): Promise<string> {
      const id = workflowId ?? `${input.agent}-${Date.now().toString(36)}`;
      await client.workflow.start(AGENT_WORKFLOW_TYPE, { taskQueue, workflowId: id, args: [input] });
      return id;
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
    async list(limit = 20): Promise<Array<{ workflowId: string; status: string; startTime: Date }>> {
      const runs = [];
      for await (const run of client.workflow.list({ query: `WorkflowType = '${AGENT_WORKFLOW_TYPE}'` })) {
        runs.push({ workflowId: run.workflowId, status: run.status.name, startTime: run.startTime });
        if (runs.length >= limit) break;
      }
      return runs;
    },
  };
}
export type Runs = ReturnType<typeof createRuns>;
