import { MIN_CONTEXT_TOKEN_BUDGET } from './constants';
import type { PromptTemplate } from './prompt';
import { BUDGET_APPROVERS_KEY, SpendLimit } from './spend-budget';
import { describeIssues } from './zod-issues';
import type { ToolDefinition } from './tools';

/**
 * Context an agent will almost surely ask for, fetched before its first model call ("pre-fetch all
 * the context you might need"): a read-only tool of the agent called with fixed arguments, its output
 * put in the thread as a `context_loaded` event. Not a model step.
 */
export interface ContextLoader {
  /** Names the loader in the thread and the activity's summary; snake_case. */
  readonly name: string;
  /** A read-only tool of the same agent. */
  readonly tool: string;
  /** Arguments the tool's parameters accept. */
  readonly args: Readonly<Record<string, unknown>>;
}

/** A micro-agent (F10) as plain data: its prompt, its few tools and its limits. */
export interface AgentDefinition {
  readonly name: string;
  readonly description: string;
  readonly prompt: PromptTemplate<'agent' | 'tools'>;
  readonly tools: readonly ToolDefinition[];
  /** Step limit when the run's input gives none; keep it within 3..20 (F10). */
  readonly maxSteps: number;
  /** Model name when TFA_MODEL is not set. */
  readonly model?: string;
  /** Consecutive errors before the run asks a human (F9). */
  readonly errorThreshold: number;
  /**
   * Most tokens of rendered context (system state + event log) per model call (F3), counted with
   * o200k_base. Default DEFAULT_CONTEXT_TOKEN_BUDGET (3000, core/constants.ts); keep it at or
   * above MIN_CONTEXT_TOKEN_BUDGET (2000), the smallest budget that is always met.
   */
  readonly contextTokenBudget?: number;
  /** Run in order of declaration at the start of a new run (not a continuation), before the first model call. */
  readonly contextLoaders?: readonly ContextLoader[];
  /** Input plus output tokens per budget window: a cap a run may lower, never raise (core/spend-budget.ts). */
  readonly maxTokens?: number;
  /** US dollars per budget window, at the worker's prices. */
  readonly maxCostUsd?: number;
}

export function defineAgent(agent: AgentDefinition): AgentDefinition {
  const names = agent.tools.map((tool) => tool.name);
  const duplicate = names.find((name, index) => names.indexOf(name) !== index);
  if (duplicate) throw new Error(`Agent "${agent.name}" defines tool "${duplicate}" twice.`);
  if (!agent.tools.some((tool) => tool.kind === 'terminal')) {
    throw new Error(`Agent "${agent.name}" needs a terminal tool, or its runs could only end at maxSteps.`);
  }
  if (!Number.isInteger(agent.maxSteps) || agent.maxSteps < 1) {
    throw new Error(`Agent "${agent.name}" maxSteps must be a positive integer, got ${agent.maxSteps}.`);
  }
  if (!Number.isInteger(agent.errorThreshold) || agent.errorThreshold < 1) {
    throw new Error(`Agent "${agent.name}" errorThreshold must be a positive integer, got ${agent.errorThreshold}.`);
  }
  if (agent.contextTokenBudget !== undefined && !(agent.contextTokenBudget >= MIN_CONTEXT_TOKEN_BUDGET)) {
    throw new Error(
      `Agent "${agent.name}" contextTokenBudget must be at least ${MIN_CONTEXT_TOKEN_BUDGET} tokens, got ${agent.contextTokenBudget}.`,
    );
  }
  agent.contextLoaders?.forEach((loader) => checkContextLoader(agent, loader));
  const limit = SpendLimit.safeParse({ maxTokens: agent.maxTokens, maxCostUsd: agent.maxCostUsd });
  if (!limit.success) throw new Error(`Agent "${agent.name}" budget is invalid: ${describeIssues(limit.error)}`);
  if (names.includes(BUDGET_APPROVERS_KEY))
    throw new Error(
      `Agent "${agent.name}" may not name a tool "${BUDGET_APPROVERS_KEY}": its approvers decide budgets.`,
    );
  return Object.freeze({ ...agent });
}

function checkContextLoader(agent: AgentDefinition, loader: ContextLoader): void {
  const tool = findTool(agent, loader.tool);
  if (!tool?.readOnly) {
    throw new Error(
      `Agent "${agent.name}" context loader "${loader.name}" needs a read-only tool of the agent, got "${loader.tool}".`,
    );
  }
  const parsed = tool.parameters.safeParse(loader.args);
  if (!parsed.success) {
    throw new Error(
      `Agent "${agent.name}" context loader "${loader.name}" has arguments ${tool.name} refuses: ${parsed.error.message}`,
    );
  }
  if (agent.contextLoaders!.filter((each) => each.name === loader.name).length > 1) {
    throw new Error(`Agent "${agent.name}" defines context loader "${loader.name}" twice.`);
  }
}

export function findTool(agent: AgentDefinition, name: string): ToolDefinition | undefined {
  return agent.tools.find((tool) => tool.name === name);
}
