import { z } from 'zod';
import { MESSAGE_LIMITS, PauseInput } from './decisions';
import { ForkSource } from './fork';
import { ThreadEvent, type AgentStatus } from './thread';
import { SpendCarried, SpendLimit } from './spend-budget';
import { UsageTotals } from './usage';

/**
 * Field limits of a run's start input (README "Limits and floods"), over which the start is refused.
 * The task gets more room than a person's message: the deploy pipeline passes test summaries and
 * failure text along in its children's tasks.
 */
export const RUN_INPUT_LIMITS = { agent: 100, ref: 250, message: 32_000, requestedBy: MESSAGE_LIMITS.by } as const;

/**
 * Where a wait for a person stood when the run continued as new: the request, whether it was already
 * escalated, and when the current phase ends (absent for runs without request timeouts).
 */
export const ContinuedWait = z.object({
  requestId: z.string().max(MESSAGE_LIMITS.requestId),
  phase: z.enum(['asked', 'escalated']),
  deadline: z.number().int().nullable(),
});
export type ContinuedWait = z.infer<typeof ContinuedWait>;

/** Input of `agentWorkflow`, as typed on the Temporal CLI: `--input '{"agent":"deploybot","message":"..."}'`. */
export const AgentWorkflowInput = z.object({
  agent: z.string().min(1).max(RUN_INPUT_LIMITS.agent),
  /** The task; required unless the run is a fork (whose task is the source's). */
  message: z.string().min(1).max(RUN_INPUT_LIMITS.message).optional(),
  maxSteps: z.number().int().positive().max(10_000).optional(),
  requestedBy: z.string().max(RUN_INPUT_LIMITS.requestedBy).optional(),
  /** Spend limits per budget window; they may lower the agent's own, never raise them (core/spend-budget.ts). */
  maxTokens: SpendLimit.shape.maxTokens,
  maxCostUsd: SpendLimit.shape.maxCostUsd,
  /** Set by a pipeline for its children: what it spent before this child and the windows it was granted. */
  budgetCarried: SpendCarried.optional(),
  /** Steps per workflow run before continuing as new (Temporal may suggest it sooner). Default 100. */
  continueAsNewAfterSteps: z.number().int().min(5).optional(),
  /**
   * History bytes a run may add to what it started with before it continues as new, also while it
   * waits (Temporal may suggest it sooner).
   */
  continueAsNewAtHistoryBytes: z.number().int().min(10_000).optional(),
  /** Starts the run as a fork of another run's thread, cut at `at` (tfa fork): the run reads the events itself. */
  fork: ForkSource.optional(),
  /** Set by the workflow itself when it continues as new: the thread it carries (core/continuation.ts). */
  continued: z
    .object({
      events: z.array(ThreadEvent).min(2),
      pauseRequested: PauseInput.nullable(),
      /** The wait for a person the run was in, so its continuation keeps waiting without asking again. */
      waiting: ContinuedWait.optional(),
    })
    .optional(),
});
export type AgentWorkflowInput = z.infer<typeof AgentWorkflowInput>;

/** What a finished run returns; parents and clients branch on `status`. */
export const AgentRunResult = z.object({
  status: z.enum(['completed', 'failed', 'timed_out', 'max_steps_reached', 'budget_exhausted']),
  result: z.record(z.string(), z.unknown()).nullable(),
  reason: z.string().nullable(),
  steps: z.number().int(),
  /** Tokens and cost of the run's model calls, by model (a pipeline sums its children's); absent when none reported usage. */
  usage: UsageTotals.optional(),
  /** The budget window the run ended in; absent for runs without a budget. */
  budgetWindow: z.number().int().min(1).optional(),
});
export type AgentRunResult = z.infer<typeof AgentRunResult> & { status: Extract<AgentStatus, string> };
