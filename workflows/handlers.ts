import { log, setHandler, workflowInfo } from '@temporalio/workflow';
import {
  ApproveInput,
  DecideInput,
  describeIssues,
  evaluateDecision,
  parseMessage,
  RejectInput,
  ReplyInput,
  type Decision,
  type DecisionPolicy,
} from '../core/decisions';
import { undecodableReason } from '../core/undecodable';
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
  const decisionSignal = (action: Decision['action'], schema: typeof ApproveInput | typeof RejectInput | typeof ReplyInput) =>
    (raw: unknown) => {
      const parsed = parseMessage(schema, action, raw);
      if (!parsed.ok) return void thread.append(parsed.event);
      applyDecision(thread, { action, ...(parsed.value as object) } as Decision, policyOf());
    };
  setHandler(approveSignal, decisionSignal('approve', ApproveInput));
  setHandler(rejectSignal, decisionSignal('reject', RejectInput));
  setHandler(replySignal, decisionSignal('reply', ReplyInput));
  setHandler(pauseSignal, (raw) => onPause(thread, control, raw));
  setHandler(resumeSignal, (raw) => onResume(thread, control, raw));
  setHandler(threadQuery, () => ({ events: thread.events, state: thread.state }));
  setHandler(statusQuery, () => thread.state);
  setHandler(
    decideUpdate,
    (input) => {
      const { decision, ...rest } = DecideInput.parse(input);
      applyDecision(thread, { action: decision, ...rest } as Decision, policyOf());
      return { requestId: thread.state.resolvedRequestIds.at(-1)!, decision };
    },
    {
      validator: (input) => {
        const undecodable = undecodableReason(input);
        if (undecodable !== null) throw new Error(`decision refused: ${undecodable}`);
        const parsed = DecideInput.safeParse(input);
        if (!parsed.success) throw new Error(`malformed decide body: ${describeIssues(parsed.error)}`);
        const { decision, ...rest } = parsed.data;
        const outcome = evaluateDecision(thread.state, { action: decision, ...rest } as Decision, policyOf(), workflowInfo().workflowId);
        if (!outcome.accepted) throw new Error(`decision refused: ${outcome.reason}`);
      },
    },
  );
}
