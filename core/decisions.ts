import { z } from 'zod';
import { DecisionSignature, verifyStatement, type DecisionStatement, type Verification } from './identity';
import { approverNames, type RunPolicy } from './policy';
import { describeQuorum, quorumOf, type Quorum } from './quorum';
import type { AgentState, PendingRequest } from './reducer';
import { isApprovalLike } from './waiting';
import type { NewEvent } from './thread';
import { undecodableReason } from './undecodable';
import { describeIssues } from './zod-issues';

/** Field limits of every message a person sends (README "Limits"): over them a message is refused like any malformed one. */
export const MESSAGE_LIMITS = { by: 200, requestId: 100, text: 4_000 } as const;

const by = z.string().trim().min(1, 'say who decides: "by" must be a non-empty string').max(MESSAGE_LIMITS.by);
const requestId = z.string().min(1).max(MESSAGE_LIMITS.requestId).optional();
const text = (required: string) => z.string().trim().min(1, required).max(MESSAGE_LIMITS.text);
const optionalText = z.string().max(MESSAGE_LIMITS.text).optional();
const signature = DecisionSignature.optional();
/** The arguments digest the sender saw; when given, it must be the pending request's. */
const argsDigest = z.string().max(MESSAGE_LIMITS.requestId).optional();

export const ApproveInput = z.object({ requestId, by, comment: optionalText, argsDigest, signature });
export type ApproveInput = z.infer<typeof ApproveInput>;

export const RejectInput = z.object({
  requestId,
  by,
  reason: text('a rejection needs a reason the agent can act on'),
  argsDigest,
  signature,
});
export type RejectInput = z.infer<typeof RejectInput>;

export const ReplyInput = z.object({ requestId, by, text: text('a reply needs text'), signature });
export type ReplyInput = z.infer<typeof ReplyInput>;

export const DecideInput = z.discriminatedUnion('decision', [
  ApproveInput.extend({ decision: z.literal('approve') }),
  RejectInput.extend({ decision: z.literal('reject') }),
]);
export type DecideInput = z.infer<typeof DecideInput>;

const optionalBy = z.string().max(MESSAGE_LIMITS.by).optional();
export const PauseInput = z.object({ by: optionalBy, reason: optionalText });
export type PauseInput = z.infer<typeof PauseInput>;

export const ResumeInput = z.object({ by: optionalBy, feedback: optionalText });
export type ResumeInput = z.infer<typeof ResumeInput>;

/** A human's answer to the pending request, whichever message carried it. */
export type Decision =
  ({ action: 'approve' } & ApproveInput) | ({ action: 'reject' } & RejectInput) | ({ action: 'reply' } & ReplyInput);

/** The part of a run's policy that decides who may answer (core/policy.ts). */
export type DecisionPolicy = Partial<Pick<RunPolicy, 'approvers' | 'identity' | 'keys' | 'attesters'>>;

export type DecisionOutcome =
  | { readonly accepted: true; readonly requestId: string; readonly event: NewEvent }
  | { readonly accepted: false; readonly reason: string; readonly event: NewEvent };

const ACTION_FOR_KIND = {
  approval: ['approve', 'reject'],
  budget: ['approve', 'reject'],
  input: ['reply'],
  escalation: ['reply'],
} as const;

/** The text a decision carries besides its verdict: covered by its signature. */
function decisionText(decision: Decision): string | null {
  if (decision.action === 'approve') return decision.comment ?? null;
  return decision.action === 'reject' ? decision.reason : decision.text;
}

/** What a signature on this decision must cover: the request as the run holds it, not as the sender says. */
export function statementFor(
  workflowId: string,
  pending: PendingRequest,
  decision: Decision,
  via: DecisionStatement['via'],
): DecisionStatement {
  return {
    workflowId,
    requestId: pending.requestId,
    argsDigest: pending.argsDigest ?? null,
    decision: decision.action,
    by: decision.by,
    text: decisionText(decision),
    via,
  };
}

/** How the decision's `by` is established, or why its signature is refused. */
function verify(
  workflowId: string,
  pending: PendingRequest,
  decision: Decision,
  policy: DecisionPolicy,
): Verification | { refused: string } {
  const signature = decision.signature;
  if (!signature) return 'claimed';
  const attester = policy.attesters?.[signature.signer];
  const personal = policy.keys?.[signature.signer];
  if (attester && signature.via) {
    const ok = verifyStatement(attester, statementFor(workflowId, pending, decision, signature.via), signature.value);
    return ok ? signature.via : { refused: `the ${signature.signer} signature does not match this decision` };
  }
  if (!personal || signature.via) return { refused: `no key named ${signature.signer} in this run's policy` };
  if (signature.signer !== decision.by)
    return { refused: `signed by ${signature.signer}, but "by" says ${decision.by}` };
  const ok = verifyStatement(personal, statementFor(workflowId, pending, decision, 'signature'), signature.value);
  return ok
    ? 'signature'
    : {
        refused: `${signature.signer}'s signature does not match this decision (run, request, arguments, verdict and text)`,
      };
}

/** Whether `by`, established as `verified`, may decide this approval under the run's policy. */
function approverRefusal(
  pending: PendingRequest,
  decision: Decision,
  verified: Verification,
  policy: DecisionPolicy,
): string | null {
  const approvers = pending.tool !== undefined ? policy.approvers?.[pending.tool] : undefined;
  if (approvers === undefined) {
    return policy.identity === 'verified'
      ? `no approvers are configured for ${pending.tool}; add them to the policy file`
      : null;
  }
  const people = approverNames(approvers);
  if (people === 'anyone') return null;
  if (!people.includes(decision.by))
    return `${decision.by} may not approve ${pending.tool}; allowed: ${people.join(', ') || 'nobody'}`;
  if (policy.identity === 'verified' && verified === 'claimed') {
    return `${decision.by}'s identity is not verified: sign the decision (tfa approve signs with your key; tfa sign prints a signed body for temporal workflow signal) or use the gateway with your own token`;
  }
  return null;
}

/** The request a decision may apply to, or why none. */
function requestRefusal(state: AgentState, decision: Decision, policy: DecisionPolicy): string | null {
  const pending = state.pending;
  if (decision.requestId && state.resolvedRequestIds.includes(decision.requestId)) {
    return `request ${decision.requestId} was already decided`;
  }
  if (!pending) return 'no request is pending';
  if (decision.requestId && decision.requestId !== pending.requestId) {
    return `unknown request ${decision.requestId}; the pending request is ${pending.requestId}`;
  }
  // Without a request id a decision could land on a request its sender never saw.
  if (!decision.requestId && policy.identity !== undefined && state.resolvedRequestIds.length > 0) {
    return `this run has made more than one request: name the one you decide with "requestId" (the pending one is ${pending.requestId})`;
  }
  const allowed: readonly string[] = ACTION_FOR_KIND[pending.kind];
  if (!allowed.includes(decision.action)) {
    return `request ${pending.requestId} expects ${allowed.join(' or ')}, not ${decision.action}`;
  }
  const seen = decision.action === 'reply' ? undefined : decision.argsDigest;
  if (seen !== undefined && seen !== pending.argsDigest) {
    return `request ${pending.requestId} is for arguments ${pending.argsDigest}, not ${seen}: look at the request again (tfa status) before deciding`;
  }
  return null;
}

function judge(
  state: AgentState,
  decision: Decision,
  policy: DecisionPolicy,
  workflowId: string,
): { refused: string } | { verified: Verification } {
  const request = requestRefusal(state, decision, policy);
  if (request !== null) return { refused: request };
  const pending = state.pending!;
  const verified = verify(workflowId, pending, decision, policy);
  if (typeof verified !== 'string') return verified;
  const approver = isApprovalLike(pending) ? approverRefusal(pending, decision, verified, policy) : null;
  if (approver !== null) return { refused: approver };
  const quorum = quorumFor(pending, policy);
  const approvedBy = pending.approvedBy ?? [];
  if (quorum && decision.action === 'approve' && approvedBy.includes(decision.by)) {
    return {
      refused: `${decision.by} already approved request ${pending.requestId}; ${describeQuorum(quorum, approvedBy)}`,
    };
  }
  return { verified };
}

/** The quorum the run's policy sets for an approval request's tool, or null when one approval decides. */
function quorumFor(pending: PendingRequest, policy: DecisionPolicy): Quorum | null {
  if (!isApprovalLike(pending) || pending.tool === undefined) return null;
  return quorumOf(policy.approvers?.[pending.tool]);
}

/** An approval under a quorum: counted while more are needed, else the grant that names everyone who approved. */
function quorumApproval(
  pending: PendingRequest,
  quorum: Quorum,
  granted: Extract<NewEvent, { type: 'approval_granted' }>,
): NewEvent {
  const { type: _granted, ...approval } = granted;
  const approvedBy = [...(pending.approvedBy ?? []), approval.by];
  if (approvedBy.length < quorum.count) {
    return { ...approval, type: 'approval_counted', argsDigest: pending.argsDigest! };
  }
  return { ...granted, approvedBy };
}

function acceptedEvent(pending: PendingRequest, decision: Decision, verified: Verification | undefined): NewEvent {
  const requestId = pending.requestId;
  const budgetWindow = pending.kind === 'budget' && pending.window !== undefined ? pending.window + 1 : undefined;
  const signer =
    decision.signature && decision.signature.signer !== decision.by ? decision.signature.signer : undefined;
  const proof = verified === undefined ? {} : { verified, ...(signer ? { attestedBy: signer } : {}) };
  switch (decision.action) {
    case 'approve':
      return {
        type: 'approval_granted',
        requestId,
        by: decision.by,
        comment: decision.comment,
        ...proof,
        ...(budgetWindow ? { budgetWindow } : {}),
      };
    case 'reject':
      return { type: 'approval_rejected', requestId, by: decision.by, reason: decision.reason, ...proof };
    case 'reply':
      return { type: 'human_reply', requestId, by: decision.by, text: decision.text, ...proof };
  }
}

/**
 * The one rule for every approve/reject/reply, whether it came as a signal or the `decide` update.
 * `workflowId` is the run a signature must name.
 */
export function evaluateDecision(
  state: AgentState,
  decision: Decision,
  policy: DecisionPolicy = {},
  workflowId = '',
): DecisionOutcome {
  const verdict = judge(state, decision, policy, workflowId);
  if ('refused' in verdict) {
    const reason = verdict.refused;
    return {
      accepted: false,
      reason,
      event: {
        type: 'decision_refused',
        message: decision.action,
        by: decision.by,
        requestId: decision.requestId,
        reason,
      },
    };
  }
  const pending = state.pending!;
  const requestId = pending.requestId;
  // Runs recorded before signed decisions keep their events' shape.
  const verified = policy.identity === undefined ? undefined : verdict.verified;
  const event = acceptedEvent(pending, decision, verified);
  const quorum = quorumFor(pending, policy);
  if (event.type !== 'approval_granted' || quorum === null) return { accepted: true, requestId, event };
  return { accepted: true, requestId, event: quorumApproval(pending, quorum, event) };
}

/** A message body as its schema reads it, or the refusal to record in its place. */
export type ParsedMessage<T> = { ok: true; value: T } | { ok: false; reason: string; event: NewEvent };

/** Validates a raw message body; a malformed or undecodable one becomes an audit refusal instead of a crash. */
export function parseMessage<S extends z.ZodType>(
  schema: S,
  messageName: string,
  raw: unknown,
): ParsedMessage<z.infer<S>> {
  const undecodable = undecodableReason(raw);
  if (undecodable !== null)
    return {
      ok: false,
      reason: undecodable,
      event: { type: 'decision_refused', message: messageName, reason: undecodable },
    };
  const parsed = schema.safeParse(raw ?? {});
  if (parsed.success) return { ok: true, value: parsed.data };
  const reason = `malformed ${messageName} body: ${describeIssues(parsed.error)}`;
  const claimed = (raw as { by?: unknown } | null)?.by;
  const claimedBy = typeof claimed === 'string' ? claimed.slice(0, MESSAGE_LIMITS.by) : undefined;
  return { ok: false, reason, event: { type: 'decision_refused', message: messageName, by: claimedBy, reason } };
}

function withAction<T, D extends Decision>(parsed: ParsedMessage<T>, toDecision: (value: T) => D): ParsedMessage<D> {
  return parsed.ok ? { ok: true, value: toDecision(parsed.value) } : parsed;
}

/** An approve, reject or reply signal's body as a Decision, or the refusal to record in its place. */
export function parseDecisionSignal(action: Decision['action'], raw: unknown): ParsedMessage<Decision> {
  switch (action) {
    case 'approve':
      return withAction(parseMessage(ApproveInput, action, raw), (value) => ({ action, ...value }));
    case 'reject':
      return withAction(parseMessage(RejectInput, action, raw), (value) => ({ action, ...value }));
    case 'reply':
      return withAction(parseMessage(ReplyInput, action, raw), (value) => ({ action, ...value }));
  }
}

/** A decision the `decide` update carries: approve or reject. */
export type UpdateDecision = Extract<Decision, { action: 'approve' | 'reject' }>;

function decisionOf(input: DecideInput): UpdateDecision {
  if (input.decision === 'approve') {
    const { decision: _approve, ...approval } = input;
    return { action: 'approve', ...approval };
  }
  const { decision: _reject, ...rejection } = input;
  return { action: 'reject', ...rejection };
}

/**
 * The `decide` update's body as a Decision, or why it is refused. Its validator and its handler both
 * read the body through this: a replay runs the handler without the validator.
 */
export function parseDecideInput(raw: unknown): { ok: true; decision: UpdateDecision } | { ok: false; reason: string } {
  const undecodable = undecodableReason(raw);
  if (undecodable !== null) return { ok: false, reason: `decision refused: ${undecodable}` };
  const parsed = DecideInput.safeParse(raw);
  if (!parsed.success) return { ok: false, reason: `malformed decide body: ${describeIssues(parsed.error)}` };
  return { ok: true, decision: decisionOf(parsed.data) };
}
