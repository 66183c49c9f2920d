import { z } from 'zod';
import { PauseInput } from './decisions';
import { ThreadEvent, type AgentStatus } from './thread';

/** Input of `agentWorkflow`, as typed on the Temporal CLI: `--input '{"agent":"deploybot","message":"..."}'`. */
export const AgentWorkflowInput = z.object({
  agent: z.string().min(1),
  message: z.string().min(1),
  maxSteps: z.number().int().positive().max(10_000).optional(),
  requestedBy: z.string().optional(),
  /** Steps per workflow run before continuing as new (Temporal may suggest it sooner). Default 100. */
  continueAsNewAfterSteps: z.number().int().min(5).optional(),
  /** Set by the workflow itself when it continues as new: the thread it carries (core/continuation.ts). */
  continued: z
    .object({ events: z.array(ThreadEvent).min(2), pauseRequested: PauseInput.nullable() })
    .optional(),
});
export type AgentWorkflowInput = z.infer<typeof AgentWorkflowInput>;

/** What a finished run returns; parents and clients branch on `status`. */
export const AgentRunResult = z.object({
  status: z.enum(['completed', 'failed', 'timed_out', 'max_steps_reached']),
  result: z.record(z.string(), z.unknown()).nullable(),
  reason: z.string().nullable(),
  steps: z.number().int(),
});
export type AgentRunResult = z.infer<typeof AgentRunResult> & { status: Extract<AgentStatus, string> };
