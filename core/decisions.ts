import { z } from 'zod';
import type { AgentState } from './reducer';
import type { NewEvent } from './thread';

const by = z.string().trim().min(1, 'say who decides: "by" must be a non-empty string');
const requestId = z.string().min(1).optional();

export const ApproveInput = z.object({ requestId, by, comment: z.string().optional() });
export type ApproveInput = z.infer<typeof ApproveInput>;

export const RejectInput = z.object({
  requestId,
  by,
  reason: z.string().trim().min(1, 'a rejection needs a reason the agent can act on'),
});
export type RejectInput = z.infer<typeof RejectInput>;

export const ReplyInput = z.object({ requestId, by, text: z.string().trim().min(1, 'a reply needs text') });
export type ReplyInput = z.infer<typeof ReplyInput>;

export const DecideInput = z.discriminatedUnion('decision', [
  ApproveInput.extend({ decision: z.literal('approve') }),
  RejectInput.extend({ decision: z.literal('reject') }),
]);
export type DecideInput = z.infer<typeof DecideInput>;

export const PauseInput = z.object({ by: z.string().optional(), reason: z.string().optional() });
export type PauseInput = z.infer<typeof PauseInput>;

export const ResumeInput = z.object({ by: z.string().optional(), feedback: z.string().optional() });
export type ResumeInput = z.infer<typeof ResumeInput>;

/** A human's answer to the pending request, whichever message carried it. */
export type Decision =
  | ({ action: 'approve' } & ApproveInput)
  | ({ action: 'reject' } & RejectInput)
  | ({ action: 'reply' } & ReplyInput);

/** Who may approve each tool; a tool that is not listed may be approved by anyone. */
export interface DecisionPolicy {
  readonly approvers?: Readonly<Record<string, readonly string[]>>;
}

export type DecisionOutcome =
  | { readonly accepted: true; readonly requestId: string; readonly event: NewEvent }
  | { readonly accepted: false; readonly reason: string; readonly event: NewEvent };

const ACTION_FOR_KIND = { approval: ['approve', 'reject'], input: ['reply'], escalation: ['reply'] } as const;

function refusalReason(state: AgentState, decision: Decision, policy: DecisionPolicy): string | null {
  const pending = state.pending;
  if (decision.requestId && state.resolvedRequestIds.includes(decision.requestId)) {
    return `request ${decision.requestId} was already decided`;
  }
  if (!pending) return 'no request is pending';
  if (decision.requestId && decision.requestId !== pending.requestId) {
    return `unknown request ${decision.requestId}; the pending request is ${pending.requestId}`;
  }
  const allowed: readonly string[] = ACTION_FOR_KIND[pending.kind];
  if (!allowed.includes(decision.action)) {
    return `request ${pending.requestId} expects ${allowed.join(' or ')}, not ${decision.action}`;
  }
  const approvers = pending.tool !== undefined ? policy.approvers?.[pending.tool] : undefined;
  if (pending.kind === 'approval' && approvers && !approvers.includes(decision.by)) {
    return `${decision.by} may not approve ${pending.tool}; allowed: ${approvers.join(', ') || 'nobody'}`;
  }
  return null;
}

function acceptedEvent(requestId: string, decision: Decision): NewEvent {
  switch (decision.action) {
    case 'approve':
      return { type: 'approval_granted', requestId, by: decision.by, comment: decision.comment };
    case 'reject':
      return { type: 'approval_rejected', requestId, by: decision.by, reason: decision.reason };
    case 'reply':
      return { type: 'human_reply', requestId, by: decision.by, text: decision.text };
  }
}

/** The one rule for every approve/reject/reply, whether it came as a signal or the `decide` update. */
export function evaluateDecision(state: AgentState, decision: Decision, policy: DecisionPolicy = {}): DecisionOutcome {
  const reason = refusalReason(state, decision, policy);
  if (reason !== null) {
    return {
      accepted: false,
      reason,
      event: { type: 'decision_refused', message: decision.action, by: decision.by, requestId: decision.requestId, reason },
    };
  }
  const requestId = state.pending!.requestId;
  return { accepted: true, requestId, event: acceptedEvent(requestId, decision) };
}

/** One line per zod issue, path first: what is wrong with a message body. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`).join('; ');
}

/** Validates a raw message body; a malformed one becomes an audit refusal instead of a crash. */
export function parseMessage<S extends z.ZodType>(
  schema: S,
  messageName: string,
  raw: unknown,
): { ok: true; value: z.infer<S> } | { ok: false; reason: string; event: NewEvent } {
  const parsed = schema.safeParse(raw ?? {});
  if (parsed.success) return { ok: true, value: parsed.data };
  const reason = `malformed ${messageName} body: ${describeIssues(parsed.error)}`;
  const claimedBy = typeof (raw as { by?: unknown })?.by === 'string' ? (raw as { by: string }).by : undefined;
  return { ok: false, reason, event: { type: 'decision_refused', message: messageName, by: claimedBy, reason } };
}
