import { z } from 'zod';
import { AgentRunResult, RUN_INPUT_LIMITS, type AgentWorkflowInput } from '../core/run';
import { nonEmptyText } from '../core/tools';
import { grandTotal, sumUsage, UsageTotals } from '../core/usage';
import { SpendLimit } from '../core/spend-budget';

/** Input of `deployWorkflow`: `temporal workflow start --type deployWorkflow --input '{"ref":"main","requestedBy":"you"}'`. */
export const DeployWorkflowInput = z.object({
  /** Which repository asked (e.g. a GitHub full name); the worker deploys its configured TFA_DEPLOY_REPO. */
  repo: z.string().max(RUN_INPUT_LIMITS.ref).optional(),
  ref: z.string().min(1).max(RUN_INPUT_LIMITS.ref),
  /** Passed to every child run as its requestedBy, so it has the same limit. */
  requestedBy: z.string().min(1).max(RUN_INPUT_LIMITS.requestedBy),
  /** Spend limits per budget window for all children together (pipelineBudgetFor). */
  maxTokens: SpendLimit.shape.maxTokens,
  maxCostUsd: SpendLimit.shape.maxCostUsd,
});
export type DeployWorkflowInput = z.infer<typeof DeployWorkflowInput>;

/** The test agent's verdict: the DAG branches on `passed`. */
export const TestReport = z.object({
  passed: z.boolean().describe('true only if every suite you ran passed'),
  summary: nonEmptyText().describe('What ran and, for failures, what failed and why'),
});
export type TestReport = z.infer<typeof TestReport>;

/** One recorded test run, as the release store keeps it by commit (the latest of each suite). */
export const RecordedTestRun = z.object({
  suite: z.string(),
  sha: z.string(),
  passed: z.boolean(),
  exitCode: z.number().int().nullable(),
  durationMs: z.number(),
  at: z.string(),
});
export type RecordedTestRun = z.infer<typeof RecordedTestRun>;

/**
 * What the recorded runs say about a commit: `missing` when no run of it is recorded, `failed` when
 * the latest run of any suite failed, else `passed`. This, not the test agent's report, is what the
 * pipeline needs before it asks for production approval.
 */
export const TestEvidence = z.object({
  sha: z.string(),
  verdict: z.enum(['passed', 'failed', 'missing']),
  runs: z.array(RecordedTestRun),
});
export type TestEvidence = z.infer<typeof TestEvidence>;

/** The rule: at least one recorded run of `sha`, and the latest run of every suite recorded for `sha` passed. */
export function judgeTestRuns(sha: string, runs: readonly RecordedTestRun[]): TestEvidence {
  const latest = new Map<string, RecordedTestRun>();
  for (const run of runs) {
    const seen = latest.get(run.suite);
    if (run.sha === sha && (!seen || seen.at < run.at)) latest.set(run.suite, run);
  }
  const ofSha = [...latest.values()];
  const verdict = ofSha.length === 0 ? 'missing' : ofSha.every((run) => run.passed) ? 'passed' : 'failed';
  return { sha, verdict, runs: ofSha };
}

export const DeployStage = z.enum(['staging', 'testing', 'deploying', 'notifying', 'finished']);
export type DeployStage = z.infer<typeof DeployStage>;

export const PipelineChild = z.object({
  workflowId: z.string(),
  agent: z.string(),
  stage: DeployStage,
  /** `running` until it ends; then its AgentRunResult status, or `failed` when the run itself failed. */
  status: z.union([z.literal('running'), AgentRunResult.shape.status]),
  result: AgentRunResult.nullable(),
});
export type PipelineChild = z.infer<typeof PipelineChild>;

export const DeployOutcome = z.enum([
  'deployed',
  'already_deployed',
  'not_deployed',
  'tests_failed',
  'tests_inconclusive',
  'staging_failed',
]);
export type DeployOutcome = z.infer<typeof DeployOutcome>;

export const ForwardedMessage = z.object({
  message: z.string(),
  to: z.string().nullable(),
  by: z.string().optional(),
  /** How many identical messages this entry stands for; absent: one. */
  count: z.number().int().min(2).optional(),
});
export type ForwardedMessage = z.infer<typeof ForwardedMessage>;

/** What `status` answers for a deployWorkflow: where the DAG is and which child does what. */
export const DeployState = z.object({
  ref: z.string(),
  stage: DeployStage,
  stagingSha: z.string().nullable(),
  productionSha: z.string().nullable(),
  tests: TestReport.nullable(),
  /** The recorded runs of the staged SHA the pipeline checked; null before testing (and in runs before the check). */
  evidence: TestEvidence.nullable().optional(),
  children: z.array(PipelineChild),
  outcome: DeployOutcome.nullable(),
  summary: z.string().nullable(),
  /** Human messages sent to the parent and where they went (the waiting child), or why nowhere; folded (recordForwarded). */
  forwarded: z.array(ForwardedMessage),
  /** Tokens and cost of the finished children's model calls, summed (pipelineUsage); absent until one reports usage. */
  usage: UsageTotals.optional(),
  /** The pipeline's spend limits and the window its children are in; absent without a budget. */
  budget: SpendLimit.extend({ window: z.number().int().min(1) }).optional(),
});
export type DeployState = z.infer<typeof DeployState>;

/** A pipeline's state before its first stage has a result. */
export function newDeployState(ref: string, stage: DeployState['stage'] = 'staging'): DeployState {
  const nothingYet = {
    stagingSha: null,
    productionSha: null,
    tests: null,
    evidence: null,
    outcome: null,
    summary: null,
  };
  return { ref, stage, ...nothingYet, children: [], forwarded: [] };
}

/** Different forwarded messages a pipeline lists; past this they are only counted on one `*` entry. */
export const MAX_FORWARDED_ENTRIES = 100;

/**
 * Notes a message forwarded to a child, bounded whatever is sent: an identical one (message, target,
 * sender) adds to the earlier entry's count, and past MAX_FORWARDED_ENTRIES different ones only a
 * `*` entry's count grows. The sender's claimed `by` is cut to the message limit.
 */
export function recordForwarded(state: DeployState, message: string, to: string | null, by: unknown): void {
  const entry: ForwardedMessage = {
    message,
    to,
    by: typeof by === 'string' ? by.slice(0, RUN_INPUT_LIMITS.requestedBy) : undefined,
  };
  const same = (known: ForwardedMessage, wanted: ForwardedMessage) =>
    known.message === wanted.message && known.to === wanted.to && known.by === wanted.by;
  const overflow: ForwardedMessage = { message: '*', to: null, by: undefined };
  const target =
    state.forwarded.find((known) => same(known, entry)) ??
    (state.forwarded.length >= MAX_FORWARDED_ENTRIES
      ? state.forwarded.find((known) => same(known, overflow))
      : undefined);
  if (target) target.count = (target.count ?? 1) + 1;
  else state.forwarded.push(state.forwarded.length >= MAX_FORWARDED_ENTRIES ? overflow : entry);
}

/** The running child a human message for the parent should reach. */
export function activeChild(state: DeployState): PipelineChild | undefined {
  return state.children.find((child) => child.status === 'running');
}

/**
 * A pipeline's current details (the Web UI's User Metadata tab): where the DAG is, each child, and how a
 * person holding only the pipeline id answers the child that waits.
 */
export function describePipeline(workflowId: string, state: DeployState): string {
  const lines = [
    `**deployWorkflow** for \`${state.ref}\`: ${state.stage}${state.outcome ? `, outcome ${state.outcome}` : ''}`,
  ];
  if (state.stagingSha) lines.push(`Staged release: \`${state.stagingSha}\``);
  for (const child of state.children)
    lines.push(`- ${child.stage}: ${child.agent} \`${child.workflowId}\` ${child.status}`);
  const running = activeChild(state);
  if (running) {
    lines.push(
      '',
      `The running child may wait for a person: open \`${running.workflowId}\` for its request and answer lines,`,
      `or answer through the pipeline: \`tfa status ${workflowId}\`, then \`tfa approve ${workflowId} --request-id <id> --by <you>\` (signals sent to the pipeline reach the running child).`,
    );
  }
  if (state.summary) lines.push('', state.summary);
  return lines.join('\n');
}

/**
 * A child's share of the pipeline's budget: the same limits, with what the earlier children spent and
 * the windows granted so far counted as its own, so all children together stay within the windows a
 * person approved. A child that runs out asks for the next window itself; later children keep it.
 */
export function childBudget(
  state: DeployState,
): Pick<AgentWorkflowInput, 'maxTokens' | 'maxCostUsd' | 'budgetCarried'> {
  if (!state.budget) return {};
  const { window, ...limits } = state.budget;
  const spent = grandTotal(state.usage);
  const tokens = spent.inputTokens + spent.outputTokens;
  const perCall =
    spent.calls > 0 ? { tokens: Math.ceil(tokens / spent.calls), costUsd: spent.costUsd / spent.calls } : null;
  const carried = { tokens, costUsd: spent.costUsd, windows: window, ...(perCall ? { perCall } : {}) };
  return { ...limits, budgetCarried: carried };
}

/** The pipeline's usage: its finished children's totals added up (a running child's are in its own status). */
export function pipelineUsage(state: DeployState): UsageTotals | undefined {
  return sumUsage(state.children.map((child) => child.result?.usage));
}
