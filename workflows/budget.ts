/**
 * Budgets that ask: before a model call that would pass the run's spend limit, the run asks a person
 * for another window of the same size (approve) or stops (reject: `budget_exhausted`).
 */
import { uuid4 } from '@temporalio/workflow';
import { argsDigest } from '../core/digest';
import { quorumOf } from '../core/quorum';
import { BUDGET_APPROVERS_KEY, budgetOverrun, budgetRequestArgs } from '../core/spend-budget';
import type { ContinuedWait } from '../core/run';
import { FINAL_STATUSES, type EventOf, type ThreadEvent } from '../core/thread';
import { waitForHuman } from './human-requests';
import type { Run } from './run';

/** True when the run may make its next model call; otherwise it has asked and waited, and the caller ends the step. */
export async function withinBudget(run: Run): Promise<boolean> {
  const { budget, usage } = run.thread.state;
  if (!budget) return true;
  const overrun = budgetOverrun(budget, usage);
  if (!overrun) return true;
  const { maxTokens, maxCostUsd } = budget;
  const limits = { ...(maxTokens ? { maxTokens } : {}), ...(maxCostUsd ? { maxCostUsd } : {}) };
  const request = { window: overrun.window, limits, spent: overrun.spent };
  const quorum = quorumOf(run.policy.approvers[BUDGET_APPROVERS_KEY]);
  const asked = run.thread.append({
    type: 'budget_exhausted',
    requestId: uuid4(),
    ...request,
    next: overrun.next,
    argsDigest: argsDigest(budgetRequestArgs(request)),
    reason: overrun.reason,
    ...(quorum ? { quorum } : {}),
  }) as EventOf<'budget_exhausted'>;
  await awaitBudget(run, asked);
  return false;
}

/** The budget request with this id, if the thread holds one. */
export function budgetRequestOf(
  events: readonly ThreadEvent[],
  requestId: string,
): EventOf<'budget_exhausted'> | undefined {
  return events.find(
    (event): event is EventOf<'budget_exhausted'> => event.type === 'budget_exhausted' && event.requestId === requestId,
  );
}

/**
 * Waits for the budget request while it is pending (`resumed`: in a run continued while waiting, where
 * the decision may already be on the thread); a rejection ends the run `budget_exhausted`.
 */
export async function awaitBudget(
  run: Run,
  request: EventOf<'budget_exhausted'>,
  resumed?: ContinuedWait,
): Promise<void> {
  const { thread } = run;
  if (thread.state.pending?.requestId === request.requestId) await waitForHuman(run, resumed);
  const rejected = thread.events.find(
    (event): event is EventOf<'approval_rejected'> =>
      event.type === 'approval_rejected' && event.requestId === request.requestId,
  );
  if (!rejected || FINAL_STATUSES.includes(thread.state.status)) return;
  thread.append({
    type: 'run_ended',
    status: 'budget_exhausted',
    reason: `budget window ${request.window} is used up and ${rejected.by} declined another: ${rejected.reason}`,
  });
}
