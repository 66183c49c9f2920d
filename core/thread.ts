import { z } from 'zod';
import { Verification } from './identity';
import { RunPolicy } from './policy';
import { Quorum } from './quorum';
import { RunBudget, SpendLimit, Spend } from './spend-budget';
import { ModelCallUsage } from './usage';

/** The four ways a tool's call drives the control flow (F8). */
export const ToolKind = z.enum(['immediate', 'approval', 'human', 'terminal']);
export type ToolKind = z.infer<typeof ToolKind>;

export const AgentStatus = z.enum([
  'running',
  'awaiting_approval',
  'awaiting_reply',
  'paused',
  'needs_human',
  'completed',
  'failed',
  'timed_out',
  'max_steps_reached',
  'budget_exhausted',
]);
export type AgentStatus = z.infer<typeof AgentStatus>;

/** Statuses after which a run does nothing more. */
export const FINAL_STATUSES: readonly AgentStatus[] = [
  'completed',
  'failed',
  'timed_out',
  'max_steps_reached',
  'budget_exhausted',
];

const base = { id: z.string(), at: z.string() };
const JsonObject = z.record(z.string(), z.unknown());

export const RunStarted = z.object({
  ...base,
  type: z.literal('run_started'),
  agent: z.string(),
  maxSteps: z.number().int().positive(),
  /** The approvers and timeouts this run follows; absent in runs started before policies existed. */
  policy: RunPolicy.optional(),
  /** The spend limit per window (core/spend-budget.ts); absent when the run has none. */
  budget: RunBudget.optional(),
});
export const UserMessage = z.object({
  ...base,
  type: z.literal('user_message'),
  text: z.string(),
  by: z.string().optional(),
});
export const ToolCall = z.object({
  ...base,
  type: z.literal('tool_call'),
  callId: z.string(),
  tool: z.string(),
  kind: ToolKind,
  args: JsonObject,
  /** sha256 of the model input this call answered (`tfa model-input` checks against it); absent on older calls. */
  inputDigest: z.string().optional(),
  /** The tokens the model call that chose it used; absent on older calls and endpoints that report none. */
  usage: ModelCallUsage.optional(),
});
export const ToolResult = z.object({
  ...base,
  type: z.literal('tool_result'),
  callId: z.string(),
  tool: z.string(),
  /** JSON text of the result, trimmed to MAX_TOOL_OUTPUT_CHARS. */
  output: z.string(),
  truncated: z.boolean(),
});
/**
 * Context fetched before the first model call by one of the agent's context loaders (core/agent.ts):
 * a read-only tool's output, or why it was not available (the run goes on; the model can still call
 * the tool). Not a model step.
 */
export const ContextLoaded = z.object({
  ...base,
  type: z.literal('context_loaded'),
  loader: z.string(),
  tool: z.string(),
  args: JsonObject,
  /** JSON text of the result, trimmed to MAX_TOOL_OUTPUT_CHARS; absent when the load failed. */
  output: z.string().optional(),
  truncated: z.boolean().optional(),
  /** Why the load failed; absent when it succeeded. */
  unavailable: z.string().optional(),
});
/** model and tool errors are the agent's to fix and count towards escalation; notify errors are not. */
export const ErrorSource = z.enum(['model', 'tool', 'notify']);
export const ErrorEvent = z.object({
  ...base,
  type: z.literal('error'),
  source: ErrorSource,
  /** The failure type (an error class name) and, for model output, its snake_case code. */
  errorType: z.string(),
  code: z.string().optional(),
  message: z.string(),
  stack: z.string().optional(),
  callId: z.string().optional(),
  tool: z.string().optional(),
  /** A model error's call still used tokens (invalid output); absent for other errors. */
  usage: ModelCallUsage.optional(),
});
export const ApprovalRequested = z.object({
  ...base,
  type: z.literal('approval_requested'),
  requestId: z.string(),
  callId: z.string(),
  tool: z.string(),
  args: JsonObject,
  /** sha256 of the canonical JSON of `args`: a decision applies to exactly this call. */
  argsDigest: z.string(),
  /** Set when the tool's policy needs several approvals: the request is granted once `count` of `of` approved. */
  quorum: Quorum.optional(),
});
export const ApprovalGranted = z.object({
  ...base,
  type: z.literal('approval_granted'),
  requestId: z.string(),
  by: z.string(),
  comment: z.string().optional(),
  /** How `by` was established (absent in runs recorded before signed decisions). */
  verified: Verification.optional(),
  /** The attester that vouched for `by`, when it was not the person's own key. */
  attestedBy: z.string().optional(),
  /** Under a quorum: everyone whose approval counted, `by` (who completed it) last; each has its own event. */
  approvedBy: z.array(z.string()).optional(),
  /** A granted budget request: the window the run may now spend in. */
  budgetWindow: z.number().int().min(2).optional(),
});
/**
 * One approval towards a request's quorum that does not complete it: the request keeps waiting. Each
 * approver's own event, with how their identity was verified and the arguments digest they approved.
 */
export const ApprovalCounted = z.object({
  ...base,
  type: z.literal('approval_counted'),
  requestId: z.string(),
  by: z.string(),
  argsDigest: z.string(),
  comment: z.string().optional(),
  verified: Verification.optional(),
  attestedBy: z.string().optional(),
});
export const ApprovalRejected = z.object({
  ...base,
  type: z.literal('approval_rejected'),
  requestId: z.string(),
  by: z.string(),
  reason: z.string(),
  /** How `by` was established (absent in runs recorded before signed decisions). */
  verified: Verification.optional(),
  /** The attester that vouched for `by`, when it was not the person's own key. */
  attestedBy: z.string().optional(),
});
export const HumanInputRequested = z.object({
  ...base,
  type: z.literal('human_input_requested'),
  requestId: z.string(),
  callId: z.string(),
  question: z.string(),
  options: z.array(z.string()).optional(),
});
export const HumanReply = z.object({
  ...base,
  type: z.literal('human_reply'),
  requestId: z.string(),
  by: z.string(),
  text: z.string(),
  /** How `by` was established (absent in runs recorded before signed decisions). */
  verified: Verification.optional(),
  /** The attester that vouched for `by`, when it was not the person's own key. */
  attestedBy: z.string().optional(),
});
/**
 * The agent made too many errors in a row (its errorThreshold) and asks a person for guidance: status
 * needs_human, answered with a reply or a resume. Not to be confused with request_escalated.
 */
export const ErrorsEscalated = z.object({
  ...base,
  type: z.literal('escalated'),
  requestId: z.string(),
  reason: z.string(),
});
/** A request waited past its timeout (the run's policy): the escalation contact was told, and the run waits once more. */
export const RequestEscalated = z.object({
  ...base,
  type: z.literal('request_escalated'),
  requestId: z.string(),
  to: z.string(),
  reason: z.string(),
});
/**
 * The next model call would pass the run's budget (core/spend-budget.ts): the run asks a person to
 * approve another window of the same size, or to reject and stop it (`budget_exhausted`).
 */
export const BudgetExhausted = z.object({
  ...base,
  type: z.literal('budget_exhausted'),
  requestId: z.string(),
  /** The window used up; an approval grants window + 1. */
  window: z.number().int().min(1),
  spent: Spend,
  /** The estimate of the next call's spend. */
  next: Spend,
  limits: SpendLimit,
  /** sha256 of the request's arguments (window, limits, spent): a decision applies to exactly this request. */
  argsDigest: z.string(),
  reason: z.string(),
  /** Set when the policy's `budget` approvers need several approvals. */
  quorum: Quorum.optional(),
});
/** Audit record of a decision or signal that was refused; it changes nothing else. */
export const DecisionRefused = z.object({
  ...base,
  type: z.literal('decision_refused'),
  message: z.string(),
  by: z.string().optional(),
  requestId: z.string().optional(),
  reason: z.string(),
  /** How many identical refusals (same message, by, request and reason) this event stands for; absent: one. */
  count: z.number().int().min(2).optional(),
});
/** A pause was asked for; it takes effect at the next step boundary (a `paused` event) unless withdrawn. */
export const PauseRequested = z.object({
  ...base,
  type: z.literal('pause_requested'),
  by: z.string().optional(),
  reason: z.string().optional(),
});
/** A `resume` arrived before the requested pause took effect: the run goes on without pausing. */
export const PauseWithdrawn = z.object({
  ...base,
  type: z.literal('pause_withdrawn'),
  by: z.string().optional(),
  feedback: z.string().optional(),
});
export const Paused = z.object({
  ...base,
  type: z.literal('paused'),
  by: z.string().optional(),
  reason: z.string().optional(),
});
export const Resumed = z.object({
  ...base,
  type: z.literal('resumed'),
  by: z.string().optional(),
  feedback: z.string().optional(),
});
export const Done = z.object({
  ...base,
  type: z.literal('done'),
  callId: z.string(),
  tool: z.string(),
  payload: JsonObject,
});
export const RunEnded = z.object({
  ...base,
  type: z.literal('run_ended'),
  status: z.enum(['failed', 'timed_out', 'max_steps_reached', 'budget_exhausted']),
  reason: z.string(),
});

/**
 * Stands for the events a run left behind when it continued as new: how many, the run whose thread
 * still holds them, and the agent state they add up to (the reducer takes it over). The few still
 * needed (the task, the latest rejection and reply) are carried whole just before it.
 */
export const EarlierEvents = z.object({
  ...base,
  type: z.literal('earlier_events'),
  count: z.number().int().nonnegative(),
  runId: z.string(),
  /** An AgentState (core/reducer.ts; kept loose here to avoid an import cycle). */
  state: JsonObject,
});

/**
 * Opens a fork's own events (tfa fork): the events before it are the source run's thread up to the cut,
 * read from the server by the fork itself. What follows is this run's; nothing pending before it carries
 * over, so a request open at the cut is asked again.
 */
export const Forked = z.object({
  ...base,
  type: z.literal('forked'),
  workflowId: z.string(),
  runId: z.string(),
  /** The last event of the source's thread this fork keeps. */
  eventId: z.string(),
  /** The model decisions the kept events hold. */
  steps: z.number().int().nonnegative(),
  by: z.string().optional(),
  /** The approvers and timeouts the fork follows: read anew when it starts, like any run's. */
  policy: RunPolicy.optional(),
});

export const ThreadEvent = z.discriminatedUnion('type', [
  RunStarted,
  UserMessage,
  ToolCall,
  ToolResult,
  ContextLoaded,
  ErrorEvent,
  ApprovalRequested,
  ApprovalGranted,
  ApprovalCounted,
  ApprovalRejected,
  HumanInputRequested,
  HumanReply,
  ErrorsEscalated,
  RequestEscalated,
  BudgetExhausted,
  DecisionRefused,
  PauseRequested,
  PauseWithdrawn,
  Paused,
  Resumed,
  Done,
  RunEnded,
  EarlierEvents,
  Forked,
]);
export type ThreadEvent = z.infer<typeof ThreadEvent>;
export type ThreadEventType = ThreadEvent['type'];
export type EventOf<T extends ThreadEventType> = Extract<ThreadEvent, { type: T }>;

/** An event before the thread stamps it with `id` and `at`. */
export type NewEvent = ThreadEvent extends infer E ? (E extends ThreadEvent ? Omit<E, 'id' | 'at'> : never) : never;
