import { createReleaseStore } from '../../activities/deploybot/release-store';
import { AGENT_WORKFLOW_TYPE } from '../../core/constants';
import { ToolExecutionError } from '../../core/errors';
import { replay } from '../../core/reducer';
import type { EventOf, ThreadEvent } from '../../core/thread';
import { callTool } from '../../scripts/scripted-model/server';
import { threadQuery } from '../../workflows/messages';
import { FIXTURE_TEST_COMMAND } from '../support/deploy-fixture';
import { startHarness, type Harness } from '../support/workflow-harness';

let harness: Harness;
afterEach(async () => harness?.close());

const loadedEvents = (events: readonly ThreadEvent[]) =>
  events.filter((event): event is EventOf<'context_loaded'> => event.type === 'context_loaded');

/** The context of a model request: the user message the workflow rendered for it. */
function contextOf(request: { body: { messages: Array<{ role: string; content: string }> } }): string {
  return request.body.messages.find((message) => message.role === 'user')!.content;
}

async function startDeploybot(message: string, extra: Record<string, unknown> = {}) {
  return harness.client.workflow.start(AGENT_WORKFLOW_TYPE, {
    taskQueue: harness.taskQueue,
    workflowId: `context-loaders-${Date.now()}`,
    args: [{ agent: 'deploybot', message, ...extra }],
  });
}

test("a DeployBot run's first model request already holds the releases of staging and production, fetched before step 1", async () => {
  harness = await startHarness({ script: [callTool('done_for_now', { message: 'nothing to do' })] });
  const { repo, root } = harness.fixture;
  const releases = createReleaseStore({ repo, root, testCommand: FIXTURE_TEST_COMMAND });
  const stagingSha = (await releases.deploy({ environment: 'staging', ref: 'main', operationId: 'setup' })).sha;
  const handle = await startDeploybot('what runs where?');
  expect((await handle.result()).status).toBe('completed');

  const context = contextOf(harness.model.requests[0]!);
  expect(context).toContain("<system_state step='1'");
  expect(context).toContain("<context_loaded tool='list_releases' args='{environment: staging}'>");
  expect(context).toContain("<context_loaded tool='list_releases' args='{environment: production}'>");
  expect(context).toContain(stagingSha);

  const { events } = await handle.query(threadQuery);
  expect(events.map((event) => event.type)).toEqual([
    'run_started',
    'user_message',
    'context_loaded',
    'context_loaded',
    'tool_call',
    'done',
  ]);
  expect(loadedEvents(events).map(({ loader, args }) => [loader, args])).toEqual([
    ['staging_releases', { environment: 'staging' }],
    ['production_releases', { environment: 'production' }],
  ]);
  const beforeFirstCall = events.slice(
    0,
    events.findIndex((event) => event.type === 'tool_call'),
  );
  expect(replay(beforeFirstCall)).toMatchObject({ step: 0, consecutiveErrors: 0 });
});

test('a loader whose tool fails leaves a note, not an error, and the run goes on', async () => {
  let productionReads = 0;
  harness = await startHarness({
    script: [callTool('list_releases', { environment: 'production' }), callTool('done_for_now', { message: 'ok' })],
    executors: {
      deploybot: {
        list_releases: async (args) => {
          if (args.environment !== 'production') return [];
          productionReads += 1;
          if (productionReads === 1) throw new ToolExecutionError('the release store is offline');
          return [{ sha: 'a'.repeat(40), current: true }];
        },
      },
    },
  });
  const handle = await startDeploybot('what runs in production?');
  expect((await handle.result()).status).toBe('completed');

  const { events, state } = await handle.query(threadQuery);
  const production = loadedEvents(events).find((event) => event.loader === 'production_releases');
  expect(production).toMatchObject({ unavailable: expect.stringContaining('the release store is offline') });
  expect(production?.output).toBeUndefined();
  expect(events.some((event) => event.type === 'error')).toBe(false);
  expect(state).toMatchObject({ step: 2, consecutiveErrors: 0 });
  expect(contextOf(harness.model.requests[0]!)).toContain(
    "<context_loaded tool='list_releases' args='{environment: production}' unavailable='true'>",
  );
  // The model could still ask itself, and got the answer.
  const result = events.find((event) => event.type === 'tool_result' && event.tool === 'list_releases');
  expect(result).toMatchObject({ output: expect.stringContaining('a'.repeat(40)) });
});

test('a run that continues as new does not load its context again', async () => {
  const loads: string[] = [];
  harness = await startHarness({
    script: [
      ...Array.from({ length: 6 }, () => callTool('list_releases', { environment: 'staging' })),
      callTool('done_for_now', { message: 'listed' }),
    ],
    executors: {
      deploybot: {
        list_releases: async (_args, { operationId }) => {
          if (operationId.includes('/context-')) loads.push(operationId);
          return [];
        },
      },
    },
  });
  const handle = await startDeploybot('list staging releases', { continueAsNewAfterSteps: 5 });
  expect((await handle.result()).status).toBe('completed');

  expect((await handle.describe()).runId).not.toBe(handle.firstExecutionRunId); // it did continue as new
  const { events } = await handle.query(threadQuery);
  expect(loads).toHaveLength(2);
  expect(new Set(loads).size).toBe(2);
  expect(loadedEvents(events)).toHaveLength(2); // carried over from the first run, not loaded again
});
