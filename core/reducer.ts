import { z } from 'zod';
import { AgentStatus, ThreadEvent, ToolKind } from './thread';
import { Quorum } from './quorum';
import { BUDGET_APPROVERS_KEY, budgetRequestArgs, BudgetState, initialBudgetState, withCall } from './spend-budget';
import { addCall, UsageTotals } from './usage';

export const PendingRequest = z.object({
  requestId: z.string(),
  /** approval and budget (another spend window): approve/reject; input: reply; escalation: reply or resume. */
  kind: z.enum(['approval', 'input', 'escalation', 'budget']),
  callId: z.string().optional(),
  tool: z.string().optional(),
  args: z.record(z.string(), z.unknown()).optional(),
  argsDigest: z.string().optional(),
  /** An approval that needs several approvers: who they are and how many must approve. */
  quorum: Quorum.optional(),
  /** Under a quorum: who approved so far (`approval_counted`), in order. */
  approvedBy: z.array(z.string()).optional(),
  question: z.string().optional(),
  options: z.array(z.string()).optional(),
  /** A budget request: the window used up; approving grants window + 1. */
  window: z.number().int().optional(),
  since: z.string(),
});
export type PendingRequest = z.infer<typeof PendingRequest>;

export const AgentState = z.object({
  agent: z.string(),
  status: AgentStatus,
  /** Model decisions taken so far: tool calls plus invalid model outputs. */
  step: z.number().int(),
  maxSteps: z.number().int(),
  consecutiveErrors: z.number().int(),
  pending: PendingRequest.nullable(),
  /** Requests already decided, so a late decision for one is refused by name. */
  resolvedRequestIds: z.array(z.string()),
  lastToolCall: z.object({ callId: z.string(), tool: z.string(), kind: ToolKind }).nullable(),
  result: z.record(z.string(), z.unknown()).nullable(),
  reason: z.string().nullable(),
  eventCount: z.number().int(),
  /** Who asked for a pause that has not taken effect yet, and why; absent when none is pending. */
  pauseRequested: z.object({ by: z.string().optional(), reason: z.string().optional() }).optional(),
  /** Tokens and cost of the run's model calls, by model; absent until a call reports usage. */
  usage: UsageTotals.optional(),
  /** The spend limits and the window the run is in; absent for runs without a budget. */
  budget: BudgetState.optional(),
});
export type AgentState = z.infer<typeof AgentState>;

export const initialState: AgentState = {
  agent: '',
  status: 'running',
  step: 0,
  maxSteps: 0,
  consecutiveErrors: 0,
  pending: null,
  resolvedRequestIds: [],
  lastToolCall: null,
  result: null,
  reason: null,
  eventCount: 0,
};

const WAITING_STATUS = {
  approval: 'awaiting_approval',
  budget: 'awaiting_approval',
  input: 'awaiting_reply',
  escalation: 'needs_human',
} as const;

function resolve(state: AgentState, requestId: string): AgentState {
  return {
    ...state,
    status: 'running',
    pending: null,
    resolvedRequestIds: [...state.resolvedRequestIds, requestId],
  };
}

function withoutPauseRequest({ pauseRequested: _taken, ...state }: AgentState): AgentState {
  return state;
}

function apply(state: AgentState, event: ThreadEvent): AgentState {
  switch (event.type) {
    case 'run_started':
      return {
        ...state,
        agent: event.agent,
        maxSteps: event.maxSteps,
        status: 'running',
        ...(event.budget ? { budget: initialBudgetState(event.budget) } : {}),
      };
    case 'user_message':
      return state;
    case 'tool_call':
      return {
        ...state,
        step: state.step + 1,
        lastToolCall: { callId: event.callId, tool: event.tool, kind: event.kind },
      };
    case 'tool_result':
      return { ...state, consecutiveErrors: 0 };
    case 'context_loaded':
      return state; // fetched before the first model call: not a step
    case 'error':
      if (event.source === 'notify') return state;
      return {
        ...state,
        step: event.source === 'model' ? state.step + 1 : state.step,
        consecutiveErrors: state.consecutiveErrors + 1,
      };
    case 'approval_requested':
      return {
        ...state,
        status: 'awaiting_approval',
        pending: {
          requestId: event.requestId,
          kind: 'approval',
          callId: event.callId,
          tool: event.tool,
          args: event.args,
          argsDigest: event.argsDigest,
          ...(event.quorum ? { quorum: event.quorum, approvedBy: [] } : {}),
          since: event.at,
        },
      };
    case 'approval_counted':
      return state.pending?.requestId === event.requestId
        ? { ...state, pending: { ...state.pending, approvedBy: [...(state.pending.approvedBy ?? []), event.by] } }
        : state;
    case 'human_input_requested':
      return {
        ...state,
        status: 'awaiting_reply',
        pending: {
          requestId: event.requestId,
          kind: 'input',
          callId: event.callId,
          question: event.question,
          options: event.options,
          since: event.at,
        },
      };
    case 'escalated':
      return {
        ...state,
        status: 'needs_human',
        pending: { requestId: event.requestId, kind: 'escalation', question: event.reason, since: event.at },
      };
    case 'budget_exhausted':
      return {
        ...state,
        status: 'awaiting_approval',
        pending: {
          requestId: event.requestId,
          kind: 'budget',
          tool: BUDGET_APPROVERS_KEY,
          args: budgetRequestArgs(event),
          argsDigest: event.argsDigest,
          question: event.reason,
          window: event.window,
          ...(event.quorum ? { quorum: event.quorum, approvedBy: [] } : {}),
          since: event.at,
        },
      };
    case 'approval_granted':
      return event.budgetWindow && state.budget && state.pending?.requestId === event.requestId
        ? { ...resolve(state, event.requestId), budget: { ...state.budget, window: event.budgetWindow, unmetered: 0 } }
        : resolve(state, event.requestId);
    case 'approval_rejected':
      return resolve(state, event.requestId);
    case 'human_reply':
      return { ...resolve(state, event.requestId), consecutiveErrors: 0 };
    case 'decision_refused':
    case 'request_escalated':
      return state;
    case 'pause_requested':
      return { ...state, pauseRequested: { by: event.by, reason: event.reason } };
    case 'pause_withdrawn':
      return withoutPauseRequest(state);
    case 'paused':
      return { ...withoutPauseRequest(state), status: 'paused' };
    case 'resumed':
      if (state.pending?.kind === 'escalation')
        return { ...resolve(state, state.pending.requestId), consecutiveErrors: 0 };
      return { ...state, status: state.pending ? WAITING_STATUS[state.pending.kind] : 'running' };
    case 'done':
      return { ...withoutPauseRequest(state), status: 'completed', result: event.payload, lastToolCall: null };
    case 'run_ended':
      return { ...withoutPauseRequest(state), status: event.status, reason: event.reason, pending: null };
    case 'forked':
      // A fork starts afresh from the kept events: no request, pause or paused status carries over.
      return { ...withoutPauseRequest(state), status: 'running', pending: null };
    case 'earlier_events':
      // The state the left-behind events added up to; eventCount keeps counting this thread's events.
      return { ...AgentState.parse(event.state), eventCount: state.eventCount };
  }
}

/** Adds the usage a model call reported (tool calls and model errors carry it). */
function countUsage(state: AgentState, event: ThreadEvent): AgentState {
  if (state.budget && event.type === 'tool_call' && !event.usage)
    return { ...state, budget: withCall(state.budget, undefined) };
  if ((event.type !== 'tool_call' && event.type !== 'error') || !event.usage) return state;
  const budget = state.budget ? { budget: withCall(state.budget, event.usage) } : {};
  return { ...state, usage: addCall(state.usage, event.usage), ...budget };
}

/** (state, event) => state: the agent as a stateless reducer (F12). */
export function reduce(state: AgentState, event: ThreadEvent): AgentState {
  return { ...countUsage(apply(state, event), event), eventCount: state.eventCount + 1 };
}

/** The state of a run is nothing but its events folded (F5). */
export function replay(events: readonly ThreadEvent[], from: AgentState = initialState): AgentState {
  return events.reduce(reduce, from);
}
