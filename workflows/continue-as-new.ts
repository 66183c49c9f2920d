/**
 * Continue-as-new, in one place: when a run hands its bounded thread to a fresh run (between steps,
 * and while it waits for a person or a resume), and that only this workflow may start a continuation.
 */
import { allHandlersFinished, ApplicationFailure, continueAsNew, uuid4, workflowInfo } from '@temporalio/workflow';
import { carryThread } from '../core/continuation';
import type { AgentWorkflowInput, ContinuedWait } from '../core/run';
import { FINAL_STATUSES } from '../core/thread';
import type { agentWorkflow } from './agent';
import type { HandOver, Run } from './run';

/** Steps per workflow run before it continues as new, unless the input says otherwise. */
export const DEFAULT_CONTINUE_AS_NEW_AFTER_STEPS = 100;

/** Runs continue as new while they wait for a person or a resume, too; older runs replay without it. */
export const CONTINUE_WHILE_WAITING_PATCH = 'continue-while-waiting-v1';

/** Whether this run should hand its thread to a fresh run, at a step boundary with nothing pending. */
export function shouldContinueAsNew(run: Run, stepsAtStart: number, afterSteps: number): boolean {
  const { state } = run.thread;
  if (state.pending || FINAL_STATUSES.includes(state.status) || !allHandlersFinished()) return false;
  return run.handOver.ready() || workflowInfo().continueAsNewSuggested || state.step - stepsAtStart >= afterSteps;
}

/** Continue-as-new for this run: the recent thread goes along, bounded; this run keeps the rest. */
export function handOverFor(run: () => Run, input: AgentWorkflowInput, whileWaiting: boolean): HandOver {
  const historyLimit = input.continueAsNewAtHistoryBytes ?? Number.POSITIVE_INFINITY;
  // Counted from this run's start: a start input (a long task, a carried thread) larger than the limit must not continue the run forever.
  const startSize = workflowInfo().historySize;
  return {
    ready() {
      const info = workflowInfo();
      return (
        whileWaiting &&
        allHandlersFinished() &&
        (info.continueAsNewSuggested || info.historySize - startSize >= historyLimit)
      );
    },
    roomFor(bytes) {
      const info = workflowInfo();
      return !info.continueAsNewSuggested && info.historySize - startSize + bytes < historyLimit;
    },
    async continueAsNew(waiting?: ContinuedWait): Promise<never> {
      const { thread, control } = run();
      const note = { id: uuid4(), at: new Date().toISOString(), runId: workflowInfo().runId };
      return continueAsNew<typeof agentWorkflow>({
        ...input,
        continued: {
          events: carryThread(thread.events, note),
          pauseRequested: control.requested,
          ...(waiting ? { waiting } : {}),
        },
      });
    },
  };
}

/**
 * Only this workflow writes a thread (design.md, Trust model): a carried thread is accepted only in a
 * run this workflow continued as new, never from a start request, a retry or a cron run.
 */
export function assertOwnContinuation(): void {
  const info = workflowInfo();
  if (info.continuedFromExecutionRunId !== undefined && info.attempt === 1 && !info.cronSchedule) return;
  throw ApplicationFailure.nonRetryable(
    '"continued" is set only by agentWorkflow itself when it continues as new; start a run with "agent" and "message" alone.',
    'ConfigurationError',
  );
}
