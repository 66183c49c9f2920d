import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import type { AgentState } from '../../core/reducer';
import type { SlackButtonValue } from '../../core/slack-buttons';
import { describeError } from '../describe-error';
import type { StatementSigner } from '../keys';
import { NoDecisionPendingError, type Runs } from '../runs';

/** A decision a button (and for Reject, its dialog) asks for, as the person the Slack user id maps to. */
export type ButtonDecision = { action: 'approve' } | { action: 'reject'; reason: string };

/** `stillNeeded`: the approval counted towards a quorum that still waits (who approved, who is still needed). */
export type ButtonOutcome =
  { applied: true; requestId: string; stillNeeded?: string } | { applied: false; refusal: string };

/** Slack's mrkdwn reads `&`, `<` and `>` as markup (links, @channel): text people typed shows as typed. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Why a click may not act on the run as it stands now: the request moved on, or its arguments differ. */
export function staleButtonRefusal(state: AgentState, target: SlackButtonValue): string | null {
  const { requestId, argsDigest } = target;
  if (state.resolvedRequestIds.includes(requestId)) return `request ${requestId} was already decided`;
  if (state.pending?.requestId !== requestId) {
    const now = state.pending
      ? `it waits for request ${state.pending.requestId} now`
      : `it is ${state.status} and waits for no request`;
    return `request ${requestId} is not pending in run ${target.workflowId}: ${now}`;
  }
  if (state.pending.argsDigest !== argsDigest) {
    return `request ${requestId} holds arguments ${state.pending.argsDigest ?? '(none)'}, not the ${argsDigest} this message showed`;
  }
  return null;
}

function explainFailure(workflowId: string, error: unknown): string {
  if (error instanceof WorkflowUpdateFailedError) return describeError(error.cause ?? error);
  if (error instanceof NoDecisionPendingError) return error.message;
  if (error instanceof WorkflowNotFoundError) return `no run ${workflowId} exists`;
  return `could not reach run ${workflowId}: ${describeError(error)}`;
}

/** Why a click on `target` may not act now, or null; reads the run's thread. */
export async function buttonRefusal(runs: Runs, target: SlackButtonValue): Promise<string | null> {
  try {
    const { state } = await runs.thread(target.workflowId);
    return staleButtonRefusal(state, target);
  } catch (error) {
    return explainFailure(target.workflowId, error);
  }
}

/**
 * Applies a button's decision through the same `decide` update as every other answer, only while the
 * run still waits for the very request and arguments the message showed. The decision states that
 * digest too, so the run itself refuses it should the request have changed since the check.
 */
export async function decideFromButton(
  runs: Runs,
  target: SlackButtonValue,
  decision: ButtonDecision,
  person: { by: string; sign?: StatementSigner },
): Promise<ButtonOutcome> {
  const refusal = await buttonRefusal(runs, target);
  if (refusal !== null) return { applied: false, refusal };
  const { workflowId, requestId, argsDigest } = target;
  const { by, sign } = person;
  try {
    const taken =
      decision.action === 'approve'
        ? await runs.approve(workflowId, { requestId, argsDigest, by }, sign)
        : await runs.reject(workflowId, { requestId, argsDigest, by, reason: decision.reason }, sign);
    const stillNeeded = taken.approvals;
    return { applied: true, requestId: taken.requestId, ...(stillNeeded ? { stillNeeded } : {}) };
  } catch (error) {
    return { applied: false, refusal: explainFailure(workflowId, error) };
  }
}
