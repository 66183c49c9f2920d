import type OpenAI from 'openai';
import { approvalTools } from '../agents';
import type { Environment } from '../agents/environments';
import { policyFor, type PolicySource, type RunPolicy } from '../core/policy';
import { ToolExecutionError } from '../core/errors';
import type { PriceTable } from '../core/usage';
import { toApplicationFailure } from './application-failure';
import type { NotificationChannel } from './channels/channel';
import {
  ReleaseStoreError,
  type DeployResult,
  type ReleaseStore,
  type TestRunSummary,
} from './deploybot/release-store';
import { createDecisions } from './choose-next-tool';
import { withDecisionAfterTool } from './decide-after-tool';
import { createExecuteTool, type ToolExecutors } from './execute-tool';
import type { Tracing } from './telemetry/tracing';
import { createNotifyHuman } from './notify-human';
import { BUDGET_APPROVERS_KEY } from '../core/spend-budget';
import { loadForkSource } from './load-fork-source';
import { planModelInput, warmTokenizer } from './plan-model-input';
import { createResolveToolCall, type ToolResolvers } from './resolve-tool-call';
import { secretScrubber } from './secret-scrubber';
import { createToolResolvers } from './tool-executors';

export interface ActivityDependencies {
  /** Built with `maxRetries: 0`: Temporal's retry policy is the only retry layer. */
  openai: OpenAI;
  /** TFA_MODEL; when unset the agent's own model, else DEFAULT_MODEL. */
  model?: string;
  executors: ToolExecutors;
  /** Pin approval tools' arguments before a human is asked; default: the bundled ones over `releases`. */
  resolvers?: ToolResolvers;
  /** Whose secret values are scrubbed from tool output (secret-scrubber.ts); default: this process's environment. */
  secretsFrom?: Readonly<Record<string, string | undefined>>;
  /** Where human notices go: console, webhook or slack. */
  channel: NotificationChannel;
  /** The policy file in force; none: anyone may decide (development), requests wait one day. */
  policy?: PolicySource;
  /** The release store the pipeline deploys to directly (no LLM). */
  releases: ReleaseStore;
  /** Prices per model (TFA_PRICES_FILE): each model call's usage is recorded with its cost; none: cost unknown. */
  prices?: PriceTable;
  /** Spans for each model call and tool run (telemetry/tracing.ts); none: tracing is off. */
  tracing?: Tracing;
  /** How long a chain of decisions may go between two checks that nothing reached the run (activities/run-unchanged.ts). */
  runCheckIntervalMs?: number;
}

/** Every side effect of a run, built from its dependencies. */
export function createActivities(deps: ActivityDependencies) {
  // Load the o200k ranks (~1 s) now, not inside the first run's workflow task (planModelInput).
  setImmediate(warmTokenizer);
  const executeTool = createExecuteTool(deps.executors, secretScrubber(deps.secretsFrom ?? process.env), deps.tracing);
  const decisions = createDecisions({
    openai: deps.openai,
    model: deps.model,
    executeTool,
    prices: deps.prices,
    tracing: deps.tracing,
    runCheckIntervalMs: deps.runCheckIntervalMs,
  });
  return {
    planModelInput,
    chooseNextTool: decisions.chooseNextTool,
    executeTool: withDecisionAfterTool(executeTool, decisions.decideAfterTool),
    resolveToolCall: createResolveToolCall(deps.resolvers ?? createToolResolvers(deps.releases)),
    notifyHuman: createNotifyHuman({ channel: deps.channel }),
    loadForkSource,
    /** Read at run start, so a policy change applies to new runs and the thread records the one used. */
    async loadRunPolicy(input: { agent: string; budget?: boolean }): Promise<RunPolicy> {
      // A run with a budget also needs approvers for another window: `budget`, else the default approvers.
      const tools = [...(approvalTools()[input.agent] ?? []), ...(input.budget ? [BUDGET_APPROVERS_KEY] : [])];
      return policyFor(deps.policy ?? { kind: 'none' }, input.agent, tools);
    },
    /** The pipeline's own deploy (no model involved): deploy a ref, idempotent per operationId. */
    async deployRelease(input: { environment: Environment; ref: string; operationId: string }): Promise<DeployResult> {
      try {
        return await deps.releases.deploy(input);
      } catch (error) {
        if (error instanceof ReleaseStoreError)
          throw toApplicationFailure(new ToolExecutionError(error.message), { nonRetryable: true });
        throw error;
      }
    },
    /** The latest recorded run of every suite of `sha`: the evidence the pipeline reads, never the model's verdict. */
    async readTestRuns(input: { sha: string }): Promise<TestRunSummary[]> {
      return deps.releases.testRunsOf(input);
    },
    /** The SHA an environment runs now, or null: how the pipeline checks what really happened. */
    async readCurrentRelease(input: { environment: Environment }): Promise<string | null> {
      return deps.releases.currentSha(input);
    },
    /** The SHAs one run's tools deployed (their operation ids start with its workflow id): what it did, whatever came after. */
    async readReleasesDeployedBy(input: { environment: Environment; workflowId: string }): Promise<string[]> {
      return deps.releases.deployedBy({ environment: input.environment, operationIdPrefix: `${input.workflowId}/` });
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;
export type { ExecuteToolThenDecideInput, ToolOutputThenDecision } from './decide-after-tool';
export type {
  ChainedDecision,
  DecidedAfterTool,
  DecisionAfterTool,
  ChainedFailure,
  ChooseNextToolInput,
  ChosenToolCall,
  DecisionChain,
} from './choose-next-tool';
export type { ExecuteToolInput, ToolOutput } from './execute-tool';
export type { NotifyHumanInput } from './notify-human';
export type { ForkSourceThread, LoadForkSourceInput } from './load-fork-source';
export type { ResolveToolCallInput } from './resolve-tool-call';
