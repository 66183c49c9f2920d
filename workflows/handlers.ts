import { log, setHandler, workflowInfo } from '@temporalio/workflow';
import {
  evaluateDecision,
  parseDecideInput,
  parseDecisionSignal,
  type Decision,
  type DecisionPolicy,
} from '../core/decisions';
import {
  approveSignal,
  decideUpdate,
  pauseSignal,
  rejectSignal,
  replySignal,
  resumeSignal,
  statusQuery,
  threadQuery,
} from './messages';
import { onPause, onResume, type PauseControl } from './pausing';
import type { RunThread } from './run-thread';

function applyDecision(thread: RunThread, decision: Decision, policy: DecisionPolicy): void {
  const outcome = evaluateDecision(thread.state, decision, policy, workflowInfo().workflowId);
  thread.append(outcome.event);
  if (!outcome.accepted) log.warn('decision refused', { reason: outcome.reason, by: decision.by });
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
      applyDecision(thread, parsed.decision, policyOf());
      return { requestId: thread.state.resolvedRequestIds.at(-1)!, decision: parsed.decision.action };
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
