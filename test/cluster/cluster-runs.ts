import type { Client } from '@temporalio/client';
import { DEFAULT_TASK_QUEUE, DEPLOY_WORKFLOW_TYPE } from '../../core/constants';
import { statusQuery } from '../../workflows/messages';

/** What the cluster run started: each run's workflow id and the branch it deploys. */
export interface ClusterRuns {
  deploybot: Array<{ workflowId: string; branch: string }>;
  pipelines: Array<{ workflowId: string; branch: string }>;
}

const POLL_MS = 1_000;
/** Requests in flight at once: enough to keep the cluster busy, few enough for a loaded 2-core machine. */
const CONCURRENCY = 8;

/**
 * Why a run is stuck, for an error message: the activities it waits on (attempt and last failure)
 * and the last failure its history records (a workflow task or an activity attempt).
 */
export async function whereStuck(client: Client, workflowId: string): Promise<string> {
  const handle = client.workflow.getHandle(workflowId);
  const [description, history] = await Promise.all([
    handle.describe().catch(() => undefined),
    handle.fetchHistory().catch(() => undefined),
  ]);
  const pending = (description?.raw.pendingActivities ?? []).map(
    (activity) =>
      `${activity.activityType?.name} (attempt ${activity.attempt}${activity.lastFailure?.message ? `, last failure: ${activity.lastFailure.message}` : ''})`,
  );
  const failures = (history?.events ?? []).flatMap((event) => {
    const failure =
      event.workflowTaskFailedEventAttributes?.failure ?? event.activityTaskFailedEventAttributes?.failure;
    return failure?.message ? [failure.message] : [];
  });
  return [
    `${workflowId} waits on ${pending.length > 0 ? pending.join(', ') : 'no activity'}`,
    `its history has ${history?.events?.length ?? 'no'} events`,
    `last failure: ${failures.at(-1) ?? 'none recorded'}`,
  ].join('; ');
}

/** Runs `task` over `items`, CONCURRENCY at a time. */
async function inBatches<T, R>(items: readonly T[], task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let index = 0; index < items.length; index += CONCURRENCY) {
    results.push(...(await Promise.all(items.slice(index, index + CONCURRENCY).map(task))));
  }
  return results;
}

async function post(url: string, body: unknown): Promise<unknown> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`POST ${url} answered ${response.status}: ${text}`);
  return JSON.parse(text) as unknown;
}

/** DeployBot runs through the gateway's run API; pipelines with the client, as `tfa deploy` starts them. */
export async function startRuns(options: {
  gatewayUrl: string;
  client: Client;
  branches: { runs: string[]; pipelines: string[] };
}): Promise<ClusterRuns> {
  const { gatewayUrl, client, branches } = options;
  const deploybot = await inBatches(branches.runs, async (branch) => {
    const body = { message: `deploy ${branch} to production`, workflowId: `deploybot-${branch}` };
    const { workflowId } = (await post(`${gatewayUrl}/agents/deploybot/runs`, body)) as { workflowId: string };
    return { workflowId, branch };
  });
  const pipelines = await inBatches(branches.pipelines, async (branch) => {
    const workflowId = `deploy-${branch}`;
    await client.workflow.start(DEPLOY_WORKFLOW_TYPE, {
      taskQueue: DEFAULT_TASK_QUEUE,
      workflowId,
      args: [{ ref: branch, requestedBy: 'cluster-run' }],
    });
    return { workflowId, branch };
  });
  return { deploybot, pipelines };
}

/** The run that asks for approval: a DeployBot run itself, a pipeline's deployer child. */
const approvalRunIds = (runs: ClusterRuns) => [
  ...runs.deploybot.map((run) => run.workflowId),
  ...runs.pipelines.map((run) => `${run.workflowId}-deploy`),
];

/** Polls each run's status until all wait for approval. A query that fails (a dead worker's sticky queue) is a miss, not an error. */
export async function waitForApprovals(client: Client, runs: ClusterRuns, waitMs: number): Promise<void> {
  const waiting = new Set(approvalRunIds(runs));
  const last = new Map<string, string>();
  const deadline = Date.now() + waitMs;
  while (waiting.size > 0 && Date.now() < deadline) {
    await inBatches([...waiting], async (workflowId) => {
      const state = await client.workflow
        .getHandle(workflowId)
        .query(statusQuery)
        .catch((error: unknown) => ({ status: `query failed: ${String(error).slice(0, 80)}` }));
      last.set(workflowId, state.status);
      if (state.status === 'awaiting_approval') waiting.delete(workflowId);
    });
    if (waiting.size > 0) await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  if (waiting.size > 0) {
    const stuck = [...waiting].slice(0, 5).map((id) => `${id}: ${last.get(id) ?? 'not found'}`);
    stuck.push(await whereStuck(client, [...waiting][0]!));
    throw new Error(`${waiting.size} runs never asked for approval within ${waitMs / 1000} s: ${stuck.join('; ')}`);
  }
}

/** Approves every run with POST /runs/:id/approve (a pipeline's id: its waiting step decides). */
export async function approveAll(gatewayUrl: string, runs: ClusterRuns): Promise<void> {
  const ids = [...runs.deploybot, ...runs.pipelines].map((run) => run.workflowId);
  await inBatches(ids, (workflowId) =>
    post(`${gatewayUrl}/runs/${encodeURIComponent(workflowId)}/approve`, { by: 'erin', comment: 'cluster run' }),
  );
}

/** Each run's result by workflow id; a run that has not finished within the deadline is an error. */
export async function waitForResults(client: Client, runs: ClusterRuns, waitMs: number): Promise<Map<string, unknown>> {
  const ids = [...runs.deploybot, ...runs.pipelines].map((run) => run.workflowId);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`runs still unfinished after ${waitMs / 1000} s`)), waitMs);
  });
  try {
    const results = await Promise.race([
      Promise.all(
        ids.map(
          async (id) =>
            [
              id,
              await client.workflow
                .getHandle(id)
                .result()
                .catch((error: unknown) => ({ failed: String(error) })),
            ] as const,
        ),
      ),
      timeout,
    ]);
    return new Map(results);
  } finally {
    clearTimeout(timer);
  }
}
