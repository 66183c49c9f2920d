import { log, setHandler, workflowInfo } from '@temporalio/workflow';
import {
  evaluateDecision,
  parseDecideInput,
  parseDecisionSignal,
  type Decision,
  type DecisionOutcome,
  type DecisionPolicy,
} from '../core/decisions';
import { quorumNote } from '../core/waiting';
import {
  approveSignal,
  decideUpdate,
  pauseSignal,
  type DecideResult,
  rejectSignal,
  replySignal,
  resumeSignal,
  statusQuery,
  threadQuery,
} from './messages';
import { onPause, onResume, type PauseControl } from './pausing';
import type { RunThread } from './run-thread';

function applyDecision(thread: RunThread, decision: Decision, policy: DecisionPolicy): DecisionOutcome {
  const outcome = evaluateDecision(thread.state, decision, policy, workflowInfo().workflowId);
  thread.append(outcome.event);
  if (!outcome.accepted) log.warn('decision refused', { reason: outcome.reason, by: decision.by });
  return outcome;
}

/** The `decide` update's answer: the request decided, or under a quorum still waiting, who approved and who is needed. */
function decideResult(thread: RunThread, outcome: DecisionOutcome, decision: DecideResult['decision']): DecideResult {
  const requestId = outcome.accepted ? outcome.requestId : thread.state.resolvedRequestIds.at(-1)!;
  const pending = thread.state.pending;
  const approvals = pending?.requestId === requestId ? quorumNote(pending) : null;
  return { requestId, decision, ...(approvals ? { approvals } : {}) };
}

/** Every message of the public API (workflows/messages.ts) wired to the thread. */
export function registerHandlers(thread: RunThread, policyOf: () => DecisionPolicy, control: PauseControl): void {
  const decisionSignal = (action: Decision['action']) => (raw: unknown) => {
    const parsed = parseDecisionSignal(action, raw);
    if (parsed.ok) applyDecision(thread, parsed.value, policyOf());
    else thread.append(parsed.event);
  };
  setHandler(approveSignal, decisionSignal('approve'));
  setHandler(rejectSignal, decisionSignal('reject'));
  setHandler(replySignal, decisionSignal('reply'));
  setHandler(pauseSignal, (raw) => onPause(thread, control, raw));
  setHandler(resumeSignal, (raw) => onResume(thread, control, raw));
  setHandler(threadQuery, () => ({ events: thread.events, state: thread.state }));
  setHandler(statusQuery, () => thread.state);
  setHandler(
    decideUpdate,
    (input) => {
      const parsed = parseDecideInput(input);
      if (!parsed.ok) throw new Error(parsed.reason);
      const outcome = applyDecision(thread, parsed.decision, policyOf());
      return decideResult(thread, outcome, parsed.decision.action);
    },
    {
      validator: (input) => {
        const parsed = parseDecideInput(input);
        if (!parsed.ok) throw new Error(parsed.reason);
        const outcome = evaluateDecision(thread.state, parsed.decision, policyOf(), workflowInfo().workflowId);
        if (!outcome.accepted) throw new Error(`decision refused: ${outcome.reason}`);
      },
    },
  );
}
