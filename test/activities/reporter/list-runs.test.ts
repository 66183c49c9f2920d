import type { ListOptions, WorkflowExecutionInfo } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import { createListRuns, MAX_LISTED_RUNS, recentRunsQuery } from '../../../activities/reporter/list-runs';
import { tfaStatusKey } from '../../../workflows/search-attributes';

const NOW = new Date('2030-01-02T12:00:00.000Z');

function run(workflowId: string, extra: Partial<WorkflowExecutionInfo> = {}): WorkflowExecutionInfo {
  return {
    workflowId,
    type: 'agentWorkflow',
    status: { name: 'RUNNING' },
    startTime: new Date('2030-01-02T11:00:00.000Z'),
    typedSearchAttributes: new TypedSearchAttributes(),
    ...extra,
  } as WorkflowExecutionInfo;
}

function fakeClient(runs: WorkflowExecutionInfo[]) {
  const queries: ListOptions[] = [];
  const client = {
    workflow: {
      async *list(options: ListOptions) {
        queries.push(options);
        yield* runs;
      },
    },
  };
  return { client, queries };
}

test('the query asks for agent and pipeline runs started after the cut-off, on one task queue when given', () => {
  const since = new Date('2030-01-01T12:00:00.000Z');
  expect(recentRunsQuery(since)).toBe(
    `(WorkflowType = 'agentWorkflow' OR WorkflowType = 'deployWorkflow') AND StartTime > "2030-01-01T12:00:00.000Z"`,
  );
  expect(recentRunsQuery(since, 'tfa')).toContain(` AND TaskQueue = 'tfa'`);
});

test('lists runs of the last N hours with Temporal status, TfaStatus when set, and ISO times', async () => {
  const closed = run('deploy-1', {
    type: 'deployWorkflow',
    status: { name: 'COMPLETED' } as WorkflowExecutionInfo['status'],
    closeTime: new Date('2030-01-02T11:30:00.000Z'),
  });
  const waiting = run('agent-1', {
    typedSearchAttributes: new TypedSearchAttributes([{ key: tfaStatusKey, value: 'awaiting_approval' }]),
  });
  const { client, queries } = fakeClient([waiting, closed]);
  const report = await createListRuns({ client, taskQueue: 'tfa', now: () => NOW })({ hours: 24 });

  expect(queries[0]!.query).toBe(recentRunsQuery(new Date('2030-01-01T12:00:00.000Z'), 'tfa'));
  expect(report).toEqual({
    since: '2030-01-01T12:00:00.000Z',
    hours: 24,
    count: 2,
    truncated: false,
    runs: [
      {
        workflowId: 'agent-1',
        type: 'agentWorkflow',
        executionStatus: 'RUNNING',
        status: 'awaiting_approval',
        startTime: '2030-01-02T11:00:00.000Z',
        closeTime: null,
      },
      {
        workflowId: 'deploy-1',
        type: 'deployWorkflow',
        executionStatus: 'COMPLETED',
        startTime: '2030-01-02T11:00:00.000Z',
        closeTime: '2030-01-02T11:30:00.000Z',
      },
    ],
  });
});

test('stops at 100 runs and says the list was cut', async () => {
  const { client } = fakeClient(Array.from({ length: MAX_LISTED_RUNS + 5 }, (_, index) => run(`run-${index}`)));
  const report = await createListRuns({ client, now: () => NOW })({ hours: 1 });
  expect(report).toMatchObject({ count: MAX_LISTED_RUNS, truncated: true });
  expect(report.runs.at(-1)!.workflowId).toBe(`run-${MAX_LISTED_RUNS - 1}`);
});

test('refuses a look-back that is not a positive number of hours', async () => {
  const { client } = fakeClient([]);
  await expect(createListRuns({ client })({ hours: 0 })).rejects.toThrow(
    'hours must be a positive number, got 0. Pass e.g. 24 for the last day.',
  );
});
