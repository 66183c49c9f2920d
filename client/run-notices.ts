/**
 * `npm start`'s one-line notices: a run finished (its id and outcome), or a run started waiting (its id,
 * what it waits for, and the command that answers). Read from visibility, which every run on the task
 * queue updates (search attributes), however it was started.
 */
import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import { DEPLOY_WORKFLOW_TYPE, WAITING_STATUSES } from '../core/constants';
import type { DeployState } from '../agents/pipeline';
import type { AgentState } from '../core/reducer';
import { shellQuote } from '../core/shell-quote';
import { printable } from '../core/terminal-text';
import { answerCommands, isApprovalLike, pendingAsk } from '../core/waiting';
import { statusQuery } from '../workflows/messages';
import { tfaPendingRequestKey, tfaStatusKey } from '../workflows/search-attributes';

/** How often visibility is read (ms): notices are for a person at a terminal. */
export const NOTICE_INTERVAL_MS = 1_000;

/** The notice for a run that waits in `state`: what for, and the first command that answers it. */
export function waitingNotice(workflowId: string, state: AgentState): string {
  const run = `run ${shellQuote(workflowId)}`;
  const { pending } = state;
  if (pending && isApprovalLike(pending))
    return `${run} is waiting for approval of ${pendingAsk(pending)}: ${answerCommands(workflowId, pending)[0]}`;
  if (pending)
    return `${run} is waiting for a reply to "${pendingAsk(pending)}": ${answerCommands(workflowId, pending)[0]}`;
  return `${run} is ${state.status}: tfa resume ${shellQuote(workflowId)} --feedback "<what to do>"`;
}

/** The notice for a run that closed: its outcome (the agent's status, a pipeline's outcome, else Temporal's). */
export function finishedNotice(workflowId: string, outcome: string, reason?: string): string {
  return `run ${shellQuote(workflowId)} finished: ${outcome}${reason ? ` (${reason})` : ''}`;
}

async function outcomeOf(client: Client, run: WorkflowExecutionInfo): Promise<{ outcome: string; reason?: string }> {
  const execution = run.status.name.toLowerCase();
  // A run that failed, timed out or was terminated or cancelled never recorded its own final status.
  if (run.status.name !== 'COMPLETED') return { outcome: execution };
  if (run.type === DEPLOY_WORKFLOW_TYPE) {
    const state = (await client.workflow.getHandle(run.workflowId, run.runId).result()) as DeployState;
    return { outcome: state.outcome ?? execution, reason: state.summary ?? undefined };
  }
  return { outcome: run.typedSearchAttributes.get(tfaStatusKey) ?? execution };
}

/**
 * Writes a notice line for each run on `taskQueue` that closes after now, and for each wait (by its
 * request, so a wait carried across continue-as-new is told once); runs waiting already are told at once.
 */
export function startRunNotices(
  client: Client,
  taskQueue: string,
  write: (line: string) => void,
  intervalMs = NOTICE_INTERVAL_MS,
): { stop(): Promise<void> } {
  const since = new Date().toISOString();
  const told = new Set<string>();
  const query = `TaskQueue = '${taskQueue}' AND (ExecutionStatus = 'Running' OR CloseTime >= '${since}')`;
  async function tell(run: WorkflowExecutionInfo): Promise<void> {
    const status = run.typedSearchAttributes.get(tfaStatusKey);
    if (run.status.name === 'RUNNING') {
      if (!WAITING_STATUSES.some((waiting) => waiting === status)) return;
      const request = run.typedSearchAttributes.get(tfaPendingRequestKey);
      const key = `${run.workflowId} waits ${request ?? `${run.runId} ${status}`}`;
      if (told.has(key)) return;
      const state = await client.workflow.getHandle(run.workflowId, run.runId).query(statusQuery);
      told.add(key);
      return write(printable(waitingNotice(run.workflowId, state)));
    }
    const key = `${run.workflowId} ${run.runId} closed`;
    if (run.status.name === 'CONTINUED_AS_NEW' || told.has(key)) return;
    told.add(key);
    const { outcome, reason } = await outcomeOf(client, run);
    write(printable(finishedNotice(run.workflowId, outcome, reason)));
  }
  let stopped = false;
  let wake: (() => void) | undefined;
  const loop = (async () => {
    while (!stopped) {
      try {
        for await (const run of client.workflow.list({ query })) await tell(run);
      } catch (error) {
        if (!stopped) write(`[tfa] run notices: ${error instanceof Error ? error.message : String(error)}`);
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, intervalMs).unref();
      });
    }
  })();
  return {
    async stop() {
      stopped = true;
      wake?.();
      await loop;
    },
  };
}
