// New code, old runs (README "Upgrading"): a run waits for approval on workflow code N, N's worker
// stops, a worker with N+1 (a real change behind patched()) starts, the approval arrives, and the
// run finishes on N+1. The same change without patched() does not replay a run recorded on N.
import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { DeterminismViolationError } from '@temporalio/workflow';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import OpenAI from 'openai';
import { createActivities, type Activities } from '../../activities';
import { createConsoleChannel } from '../../activities/channels/console-channel';
import { createReleaseStore } from '../../activities/deploybot/release-store';
import { createListRuns } from '../../activities/reporter/list-runs';
import { createToolExecutors } from '../../activities/tool-executors';
import { AGENT_WORKFLOW_TYPE } from '../../core/constants';
import { callTool, startScriptedModelServer, type ScriptedModelServer } from '../../scripts/scripted-model/server';
import { createWorker, PAYLOAD_CONVERTER_PATH } from '../../worker/create-worker';
import { approveSignal, threadQuery } from '../../workflows/messages';
import { createDeployFixture, FIXTURE_TEST_COMMAND, type DeployFixture } from '../support/deploy-fixture';
import { testServerAddress, workflowBundlePath } from '../support/test-server';
import { waitForState } from '../support/workflow-harness';
import { FINISHED_ON, FINISHED_ON_PATCH, NEXT_REVISION, STARTED_ON, STARTED_ON_PATCH } from './revision-change';

const EventType = temporal.api.enums.v1.EventType;
const quietLogger = { log() {}, trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error };

let connection: Connection;
let native: NativeConnection;
let client: Client;
let model: ScriptedModelServer;
let fixture: DeployFixture;
let activities: Activities;
let nextBundle: string;
const taskQueue = `upgrade-${process.pid}-${Date.now()}`;

beforeAll(async () => {
  const address = testServerAddress();
  [connection, native, model, fixture] = await Promise.all([
    Connection.connect({ address }),
    NativeConnection.connect({ address }),
    startScriptedModelServer({ script: [] }),
    createDeployFixture(),
  ]);
  client = new Client({ connection });
  const channel = createConsoleChannel(() => undefined);
  const releases = createReleaseStore({ repo: fixture.repo, root: fixture.root, testCommand: FIXTURE_TEST_COMMAND });
  activities = createActivities({
    openai: new OpenAI({ baseURL: model.baseURL, apiKey: 'scripted', maxRetries: 0 }),
    executors: createToolExecutors({ releases, channel, listRuns: createListRuns({ client, taskQueue }) }),
    channel,
    policy: { kind: 'none' },
    releases,
  });
  const bundle = await bundleWorkflowCode({ workflowsPath: require.resolve('./next-workflows'), payloadConverterPath: PAYLOAD_CONVERTER_PATH, logger: quietLogger });
  nextBundle = bundle.code;
});

afterAll(async () => {
  await Promise.all([connection?.close(), native?.close(), model?.close(), fixture?.cleanup()]);
});

/** A worker on the test's task queue running this workflow code; stop() returns once it has shut down. */
async function startWorker(workflowBundle: { codePath: string } | { code: string }): Promise<{ stop(): Promise<void> }> {
  const worker = await createWorker({ connection: native, namespace: 'default', taskQueue, activities, workflowBundle });
  const running = worker.run();
  return {
    async stop() {
      worker.shutdown();
      await running;
    },
  };
}

/** The patch id a `patched()` marker records, e.g. {"id":"upgrade-drill-finished-on-v1"}; undefined for other events. */
function patchMarked(event: temporal.api.history.v1.IHistoryEvent): string | undefined {
  const marker = event.markerRecordedEventAttributes;
  if (marker?.markerName !== 'core_patch') return undefined;
  const data = marker.details?.['patch-data']?.payloads?.[0]?.data;
  return data ? (JSON.parse(Buffer.from(data).toString('utf8')) as { id: string }).id : undefined;
}

function memo(description: Awaited<ReturnType<ReturnType<Client['workflow']['getHandle']>['describe']>>): Record<string, unknown> {
  return description.memo ?? {};
}

test('a run waiting for approval on revision N is approved after N+1 is deployed, and finishes on N+1', async () => {
  model.enqueue(callTool('deploy_to_production', { ref: 'main' }), callTool('done_for_now', { message: 'main is live' }));
  const revisionN = await startWorker({ codePath: workflowBundlePath() });
  const handle = await client.workflow.start(AGENT_WORKFLOW_TYPE, {
    taskQueue,
    workflowId: `upgrade-${Date.now()}`,
    args: [{ agent: 'deploybot', message: 'deploy main to production' }],
  });
  const waiting = await waitForState(handle, (state) => state.status === 'awaiting_approval');
  await revisionN.stop();
  const eventsOnN = (await handle.fetchHistory()).events ?? [];

  const revisionNext = await startWorker({ code: nextBundle });
  try {
    await handle.signal(approveSignal, { requestId: waiting.pending!.requestId, by: 'alice' });
    expect(await handle.result()).toMatchObject({ status: 'completed', result: { message: 'main is live' } });
    const { events } = await handle.query(threadQuery);
    expect(events.map((event) => event.type).slice(-4)).toEqual(['approval_granted', 'tool_result', 'tool_call', 'done']);
  } finally {
    await revisionNext.stop();
  }

  // The history: N's part as it was, then N+1's changed path after the approval (and only there).
  const history = (await handle.fetchHistory()).events ?? [];
  expect(history.slice(0, eventsOnN.length).map((event) => event.eventType)).toEqual(eventsOnN.map((event) => event.eventType));
  const signalled = history.findIndex((event) => event.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED);
  expect(signalled).toBeGreaterThanOrEqual(eventsOnN.length);
  const markedAt = (patchId: string) => history.flatMap((event, index) => (patchMarked(event) === patchId ? [index] : []));
  expect(markedAt(STARTED_ON_PATCH)).toEqual([]);
  expect(markedAt(FINISHED_ON_PATCH)).toEqual([expect.any(Number)]);
  expect(markedAt(FINISHED_ON_PATCH)[0]).toBeGreaterThan(signalled);
  expect(memo(await handle.describe())).toEqual({ [FINISHED_ON]: NEXT_REVISION });
});

test('a run started on N+1 takes the changed path from its start', async () => {
  model.enqueue(callTool('done_for_now', { message: 'nothing to do' }));
  const revisionNext = await startWorker({ code: nextBundle });
  try {
    const handle = await client.workflow.start(AGENT_WORKFLOW_TYPE, {
      taskQueue,
      workflowId: `upgrade-new-${Date.now()}`,
      args: [{ agent: 'deploybot', message: 'anything to deploy?' }],
    });
    expect(await handle.result()).toMatchObject({ status: 'completed' });
    expect(memo(await handle.describe())).toEqual({ [STARTED_ON]: NEXT_REVISION, [FINISHED_ON]: NEXT_REVISION });
  } finally {
    await revisionNext.stop();
  }
});

test('the same change without patched() does not replay a run that waited for approval on revision N', async () => {
  const saved = path.join(__dirname, '../replay/histories/deploybot-approved.json');
  const history = historyFromJSON(JSON.parse(fs.readFileSync(saved, 'utf8')));
  const unguarded = await bundleWorkflowCode({ workflowsPath: require.resolve('./unguarded-workflows'), payloadConverterPath: PAYLOAD_CONVERTER_PATH, logger: quietLogger });
  await expect(Worker.runReplayHistory({ workflowBundle: { code: unguarded.code } }, history, 'replay-deploybot-approved')).rejects.toThrow(DeterminismViolationError);
  await expect(Worker.runReplayHistory({ workflowBundle: { code: nextBundle } }, history, 'replay-deploybot-approved')).resolves.toBeUndefined();
});
