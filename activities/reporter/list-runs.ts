import type { ListOptions, WorkflowExecutionInfo } from '@temporalio/client';
import { AGENT_WORKFLOW_TYPE, DEPLOY_WORKFLOW_TYPE } from '../../core/constants';
import { ToolExecutionError } from '../../core/errors';
import { tfaStatusKey } from '../../workflows/search-attributes';

/** Most runs one list_runs call returns; visibility gives the newest first. */
export const MAX_LISTED_RUNS = 100;

/** One run as the reporter sees it. */
export interface ListedRun {
  workflowId: string;
  type: string;
  /** Temporal's execution status: RUNNING, COMPLETED, FAILED, TIMED_OUT, ... */
  status: string;
  /** The agent's own status (search attribute TfaStatus), when the run set it: awaiting_approval, completed, ... */
  tfaStatus?: string;
  startTime: string;
  closeTime: string | null;
}

export interface RecentRuns {
  since: string;
  hours: number;
  count: number;
  /** True when more runs matched than MAX_LISTED_RUNS; the oldest were left out. */
  truncated: boolean;
  runs: ListedRun[];
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
    if (!Number.isFinite(hours) || hours <= 0) throw new ToolExecutionError(`hours must be a positive number, got ${hours}. Pass e.g. 24 for the last day.`);
    const since = new Date(now().getTime() - hours * 3_600_000);
    const query = recentRunsQuery(since, options.taskQueue);
    const runs: ListedRun[] = [];
    let truncated = false;
    for await (const run of options.client.workflow.list({ query, pageSize: MAX_LISTED_RUNS })) {
      if (runs.length === MAX_LISTED_RUNS) {
        truncated = true;
        break;
      }
      runs.push(toListedRun(run));
    }
    return { since: since.toISOString(), hours, count: runs.length, truncated, runs };
  };
}

function toListedRun(run: WorkflowExecutionInfo): ListedRun {
  const tfaStatus = run.typedSearchAttributes.get(tfaStatusKey);
  return {
    workflowId: run.workflowId,
    type: run.type,
    status: run.status.name,
    ...(tfaStatus !== undefined ? { tfaStatus } : {}),
    startTime: run.startTime.toISOString(),
    closeTime: run.closeTime?.toISOString() ?? null,
  };
}
