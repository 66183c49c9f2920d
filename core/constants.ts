/** Task queue the worker polls and clients start runs on, unless TFA_TASK_QUEUE overrides it. */
export const DEFAULT_TASK_QUEUE = 'tfa';

/** Temporal's namespace when none is configured; printed `temporal` commands name any other with --namespace. */
export const DEFAULT_NAMESPACE = 'default';

/** Workflow type of one agent's loop; the name the Temporal CLI uses with `--type`. */
export const AGENT_WORKFLOW_TYPE = 'agentWorkflow';

/** Workflow type of the DeployBot pipeline (a DAG of micro-agents). */
export const DEPLOY_WORKFLOW_TYPE = 'deployWorkflow';

/** Characters of a tool result or error kept in the thread; the full output stays in the activity log. */
export const MAX_TOOL_OUTPUT_CHARS = 2_000;
export const MAX_ERROR_STACK_CHARS = 500;

/** Model used when neither TFA_MODEL nor the agent names one. */
export const DEFAULT_MODEL = 'gpt-4o-mini';

/** Custom search attributes (Keyword) the workflow sets, so visibility queries find waiting runs. */
export const SEARCH_ATTRIBUTE_NAMES = {
  agent: 'TfaAgent',
  status: 'TfaStatus',
  pendingRequest: 'TfaPendingRequest',
} as const;

/** Statuses in which a run waits for a person. */
export const WAITING_STATUSES = ['awaiting_approval', 'awaiting_reply', 'needs_human', 'paused'] as const;

/**
 * Tokens of rendered context (system state + event log) an agent's model call gets, unless its
 * definition sets `contextTokenBudget` (F3). Counted with o200k_base by the model activity.
 */
export const DEFAULT_CONTEXT_TOKEN_BUDGET = 3_000;

/**
 * The smallest budget renderContext always meets (o200k_base), whatever the thread. What is
 * never dropped (the task, the last 6 events, the pending request, the latest rejection and reply) is
 * at most 10 elements of about 365 characters once cut to their heads: at most about 1,300 tokens with
 * the system state and notes, even for non-Latin text. Property-tested in test/core/context-properties.test.ts.
 */
export const MIN_CONTEXT_TOKEN_BUDGET = 2_000;
