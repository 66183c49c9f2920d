import { z } from 'zod';
import { describeIssues } from './zod-issues';
import { PublicKey } from './identity';

const DAY_MS = 24 * 60 * 60 * 1000;
// Patterns are tested in .refine(), not .regex(): the workflows share these schemas frozen (workflows/settle-schemas.ts).
const SLACK_USER_ID = /^[UW][A-Z0-9]{2,}$/;

const names = z.array(z.string().min(1)).min(1);

/**
 * Several people must approve: `count` distinct people of `anyOf`, or every one of `allOf`. The request
 * waits until enough of them approved it; one rejection rejects it.
 */
export const ApprovalQuorum = z.union([
  z
    .strictObject({ anyOf: names, count: z.number().int().min(1) })
    .refine((quorum) => quorum.count <= new Set(quorum.anyOf).size, {
      message: 'count cannot exceed the number of different people in anyOf',
      path: ['count'],
    }),
  z.strictObject({ allOf: names }),
]);
export type ApprovalQuorum = z.infer<typeof ApprovalQuorum>;

/** Who may approve a tool: named people (any one of them decides), a quorum of them, or explicitly anyone. */
export const Approvers = z.union([z.array(z.string().min(1)), z.literal('anyone'), ApprovalQuorum]);
export type Approvers = z.infer<typeof Approvers>;

/** The people an approvers entry names, each once, or `anyone`. */
export function approverNames(approvers: Approvers): string[] | 'anyone' {
  if (approvers === 'anyone') return 'anyone';
  const listed = Array.isArray(approvers) ? approvers : 'anyOf' in approvers ? approvers.anyOf : approvers.allOf;
  return [...new Set(listed)];
}

/** How many distinct approvals an approvers entry needs: 1 unless it is a quorum. */
export function approvalsNeeded(approvers: Approvers): number {
  if (approvers === 'anyone' || Array.isArray(approvers)) return 1;
  return 'anyOf' in approvers ? approvers.count : new Set(approvers.allOf).size;
}

/** An approvers entry as the worker prints it at start: `ANYONE`, `alice, bob`, `2 of alice, bob, carol`. */
export function describeApprovers(approvers: Approvers): string {
  const people = approverNames(approvers);
  if (people === 'anyone') return 'ANYONE';
  if (Array.isArray(approvers)) return people.join(', ') || 'nobody';
  const needed = approvalsNeeded(approvers);
  return needed === people.length ? `all of ${people.join(', ')}` : `${needed} of ${people.join(', ')}`;
}

/**
 * Who may decide and how long a run waits for people (F7). Built by the worker from its policy
 * file at run start and recorded in `run_started`, so the thread shows the rules it ran under and
 * the workflow checks signatures against exactly these keys.
 */
export const RunPolicy = z.object({
  /** Allowed approvers by tool name. */
  approvers: z.record(z.string(), Approvers).default({}),
  /** How long an approval or question waits before escalating. Default one day. */
  requestTimeoutMs: z.number().int().positive().default(DAY_MS),
  /** Per-tool overrides of requestTimeoutMs. */
  toolTimeoutsMs: z.record(z.string(), z.number().int().positive()).default({}),
  /** After escalating, how long to keep waiting before the run ends `timed_out`. Default one day. */
  escalationTimeoutMs: z.number().int().positive().default(DAY_MS),
  /** Who is told when a request times out. */
  escalateTo: z.string().min(1).default('on-call'),
  /**
   * `verified`: a policy file is in force; a decision on a tool with named approvers needs a signature
   * (the person's key or an attester's). `claimed`: no policy file, anyone may decide (development).
   * Absent only in runs recorded before signed decisions, which keep the rule they started with.
   */
  identity: z.enum(['verified', 'claimed']).optional(),
  /** People's public keys by name (`tfa keys create`). */
  keys: z.record(z.string(), PublicKey).default({}),
  /** Attesters' public keys by name: the gateway vouches for the people it authenticated. */
  attesters: z.record(z.string(), PublicKey).default({}),
});
export type RunPolicy = z.infer<typeof RunPolicy>;

/** One agent's section of the policy file: the run policy without the shared identities. */
export const AgentPolicy = RunPolicy.pick({
  approvers: true,
  requestTimeoutMs: true,
  toolTimeoutsMs: true,
  escalationTimeoutMs: true,
  escalateTo: true,
}).partial();

export const Person = z.object({
  /** From `tfa keys create <name>`; needed to sign decisions with the CLI or `tfa sign`. */
  publicKey: PublicKey.optional(),
  /** The Slack user id (U…) the gateway maps to this person; a Slack display name is never trusted. */
  slackUserId: z
    .string()
    .refine((id) => SLACK_USER_ID.test(id), 'a Slack user id such as U024BE7LH')
    .optional(),
});

/** The worker's (and gateway's) policy file, TFA_POLICY_FILE. */
export const PolicyFile = z
  .object({
    /** Everyone who may decide, by the name approver lists use. */
    people: z.record(z.string().min(1), Person).default({}),
    /** Services that vouch for people they authenticated: `{ "gateway": "ed25519:…" }`. */
    attesters: z.record(z.string().min(1), PublicKey).default({}),
    /** Approvers of any approval tool an agent's section does not list; without it such a tool is an error. */
    defaultApprovers: Approvers.optional(),
    /** Per agent: approvers by tool, timeouts, escalation contact. */
    agents: z.record(z.string(), AgentPolicy).default({}),
  })
  .strict();
export type PolicyFile = z.infer<typeof PolicyFile>;

/** The policy file's text parsed, or an error naming the file and each problem. */
export function parsePolicyFile(text: string, file: string): PolicyFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new Error(`${file} is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = PolicyFile.safeParse(raw);
  if (!parsed.success) throw new Error(`${file} is not a valid policy file: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

/** What a worker runs under: the parsed file, or none (development: anyone may decide). */
export type PolicySource = { kind: 'file'; file: PolicyFile } | { kind: 'none' };

/** Each agent's approval tools, as the policy must cover them. */
export type ApprovalTools = Readonly<Record<string, readonly string[]>>;

/** Who may approve each agent's approval tools, one line each, or the problems that leave a tool uncovered. */
export function coverage(source: PolicySource, tools: ApprovalTools): { lines: string[]; problems: string[] } {
  const lines: string[] = [];
  const problems: string[] = [];
  for (const [agent, names] of Object.entries(tools)) {
    for (const tool of names) {
      const approvers =
        source.kind === 'none'
          ? 'anyone'
          : (source.file.agents[agent]?.approvers?.[tool] ?? source.file.defaultApprovers);
      if (approvers === undefined) {
        problems.push(
          `${agent}.${tool} has no approvers: list them under agents.${agent}.approvers.${tool}, or set "defaultApprovers"`,
        );
        continue;
      }
      lines.push(`${agent}.${tool}: ${describeApprovers(approvers)}`);
      const people = approverNames(approvers);
      if (source.kind === 'file' && people !== 'anyone') {
        for (const name of people) {
          const person = source.file.people[name];
          if (!person?.publicKey && !person?.slackUserId && Object.keys(source.file.attesters).length === 0) {
            problems.push(
              `${agent}.${tool}: ${name} cannot prove who they are: add people.${name}.publicKey (tfa keys create ${name}) or an attester`,
            );
          }
        }
      }
    }
  }
  return { lines, problems };
}

/** The policy one run of `agent` follows; the agent's approval tools get their approvers filled in. */
export function policyFor(source: PolicySource, agent: string, approvalTools: readonly string[] = []): RunPolicy {
  if (source.kind === 'none') return RunPolicy.parse({ identity: 'claimed' });
  const { people, attesters, defaultApprovers, agents } = source.file;
  const section = agents[agent] ?? {};
  const approvers: Record<string, Approvers> = { ...section.approvers };
  for (const tool of approvalTools) approvers[tool] ??= defaultApprovers ?? [];
  const keys = Object.fromEntries(
    Object.entries(people).flatMap(([name, person]) => (person.publicKey ? [[name, person.publicKey]] : [])),
  );
  return RunPolicy.parse({ ...section, approvers, identity: 'verified', keys, attesters });
}

export function requestTimeoutFor(policy: RunPolicy, tool: string | undefined): number {
  return (tool !== undefined ? policy.toolTimeoutsMs[tool] : undefined) ?? policy.requestTimeoutMs;
}
