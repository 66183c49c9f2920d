import { log, setHandler, workflowInfo } from '@temporalio/workflow';
import {
  ApproveInput,
  DecideInput,
  describeIssues,
  evaluateDecision,
  parseMessage,
  PauseInput,
  RejectInput,
  ReplyInput,
  ResumeInput,
  type Decision,
  type DecisionPolicy,
} from '../core/decisions';
import { FINAL_STATUSES } from '../core/thread';
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
import type { RunThread } from './run-thread';

/** Pause and resume requests, applied by the loop at its next step boundary. */
export interface PauseControl {
  requested: PauseInput | null;
  resume: ResumeInput | null;
}

function applyDecision(thread: RunThread, decision: Decision, policy: DecisionPolicy): void {
  const outcome = evaluateDecision(thread.state, decision, policy, workflowInfo().workflowId);
  thread.append(outcome.event);
  if (!outcome.accepted) log.warn('decision refused', { reason: outcome.reason, by: decision.by });
}

function onPause(thread: RunThread, control: PauseControl, raw: unknown): void {
  const parsed = parseMessage(PauseInput, 'pause', raw);
  if (!parsed.ok) return void thread.append(parsed.event);
  if (FINAL_STATUSES.includes(thread.state.status)) {
    return void thread.append({ type: 'decision_refused', message: 'pause', by: parsed.value.by, reason: 'the run has ended' });
  }
  control.requested = parsed.value;
}

function onResume(thread: RunThread, control: PauseControl, raw: unknown): void {
  const parsed = parseMessage(ResumeInput, 'resume', raw);
  if (!parsed.ok) return void thread.append(parsed.event);
  if (thread.state.status === 'needs_human') return void thread.append({ type: 'resumed', ...parsed.value });
  if (thread.state.status === 'paused') return void (control.resume = parsed.value);
  if (control.requested) {
    control.requested = null; // resumed before the pause took effect: nothing to undo
    return;
  }
  thread.append({ type: 'decision_refused', message: 'resume', by: parsed.value.by, reason: 'the run is not paused' });
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
        const parsed = DecideInput.safeParse(input);
        if (!parsed.success) throw new Error(`malformed decide body: ${describeIssues(parsed.error)}`);
        const { decision, ...rest } = parsed.data;
        const outcome = evaluateDecision(thread.state, { action: decision, ...rest } as Decision, policyOf(), workflowInfo().workflowId);
        if (!outcome.accepted) throw new Error(`decision refused: ${outcome.reason}`);
      },
    },
  );
}
