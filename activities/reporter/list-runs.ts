import type { ListOptions, WorkflowExecutionInfo } from '@temporalio/client';
import { AGENT_WORKFLOW_TYPE, DEPLOY_WORKFLOW_TYPE } from '../../core/constants';
import { ToolExecutionError } from '../../core/errors';
import { summarizeRun, type RunSummary } from './run-summary';

/** Most runs one list_runs call returns; visibility gives the newest first. */
export const MAX_LISTED_RUNS = 100;

export interface RecentRuns {
  since: string;
  hours: number;
  count: number;
  /** True when more runs matched than MAX_LISTED_RUNS; the oldest were left out. */
  truncated: boolean;
  runs: RunSummary[];
}

export type ListRuns = (input: { hours: number }) => Promise<RecentRuns>;

/** The part of Temporal's `Client` list_runs needs; a real `Client` fits. */
export interface VisibilityClient {
  workflow: { list(options: ListOptions): AsyncIterable<WorkflowExecutionInfo> };
}

export interface ListRunsOptions {
  client: VisibilityClient;
  /** Only runs on this task queue (the worker's), when given; default every task queue of the namespace. */
  taskQueue?: string;
  /** Default the system clock. */
  now?: () => Date;
}

/** Visibility query for agent and pipeline runs started after `since`. */
export function recentRunsQuery(since: Date, taskQueue?: string): string {
  const types = `(WorkflowType = '${AGENT_WORKFLOW_TYPE}' OR WorkflowType = '${DEPLOY_WORKFLOW_TYPE}')`;
  const queue = taskQueue === undefined ? '' : ` AND TaskQueue = '${taskQueue}'`;
  return `${types} AND StartTime > "${since.toISOString()}"${queue}`;
}

/** Recent runs from Temporal's visibility API, for the reporter agent's list_runs tool. */
export function createListRuns(options: ListRunsOptions): ListRuns {
  const now = options.now ?? (() => new Date());
  return async function listRuns({ hours }) {
    if (!Number.isFinite(hours) || hours <= 0)
      throw new ToolExecutionError(`hours must be a positive number, got ${hours}. Pass e.g. 24 for the last day.`);
    const since = new Date(now().getTime() - hours * 3_600_000);
    const query = recentRunsQuery(since, options.taskQueue);
    const runs: RunSummary[] = [];
    let truncated = false;
    for await (const run of options.client.workflow.list({ query, pageSize: MAX_LISTED_RUNS })) {
      if (runs.length === MAX_LISTED_RUNS) {
        truncated = true;
        break;
      }
      runs.push(summarizeRun(run));
    }
    return { since: since.toISOString(), hours, count: runs.length, truncated, runs };
  };
}
