import { z } from 'zod';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Who may decide and how long a run waits for people (F7). Loaded by the worker from its
 * config at run start and recorded in `run_started`, so the thread shows the rules it ran under.
 */
export const RunPolicy = z.object({
  /** Allowed approvers by tool name; a tool not listed may be approved by ANYONE. */
  approvers: z.record(z.string(), z.array(z.string())).default({}),
  /** How long an approval or question waits before escalating. Default one day. */
  requestTimeoutMs: z.number().int().positive().default(DAY_MS),
  /** Per-tool overrides of requestTimeoutMs. */
  toolTimeoutsMs: z.record(z.string(), z.number().int().positive()).default({}),
  /** After escalating, how long to keep waiting before the run ends `timed_out`. Default one day. */
  escalationTimeoutMs: z.number().int().positive().default(DAY_MS),
  /** Who is told when a request times out. */
  escalateTo: z.string().min(1).default('on-call'),
});
export type RunPolicy = z.infer<typeof RunPolicy>;

/** Policies by agent name, as written in the worker's policy file. */
export const PolicyConfig = z.record(z.string(), RunPolicy.partial());
export type PolicyConfig = z.infer<typeof PolicyConfig>;

export function policyFor(config: PolicyConfig, agent: string): RunPolicy {
  return RunPolicy.parse(config[agent] ?? {});
}

export function requestTimeoutFor(policy: RunPolicy, tool: string | undefined): number {
  return (tool !== undefined ? policy.toolTimeoutsMs[tool] : undefined) ?? policy.requestTimeoutMs;
}
