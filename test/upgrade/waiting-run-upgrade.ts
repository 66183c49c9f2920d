// The upgrade scenario, on any Temporal server (the jest dev server, or the PostgreSQL cluster of
// on-cluster.ts): a run waits for approval on revision N, N's worker stops, N+1's starts, the
// approval arrives, the run finishes.
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { bundleWorkflowCode, NativeConnection, type WorkerOptions } from '@temporalio/worker';
import OpenAI from 'openai';
import { createActivities, type Activities } from '../../activities';
import { createConsoleChannel } from '../../activities/channels/console-channel';
import { createReleaseStore } from '../../activities/deploybot/release-store';
import { createListRuns } from '../../activities/reporter/list-runs';
import { createToolExecutors } from '../../activities/tool-executors';
import { AGENT_WORKFLOW_TYPE } from '../../core/constants';
import type { AgentRunResult } from '../../core/run';
import type { ThreadEvent } from '../../core/thread';
import { callTool, startScriptedModelServer, type ScriptedModelServer } from '../../scripts/scripted-model/server';
import { createWorker, PAYLOAD_CONVERTER_PATH } from '../../worker/create-worker';
import { approveSignal, threadQuery } from '../../workflows/messages';
import { createDeployFixture, FIXTURE_TEST_COMMAND, type DeployFixture } from '../support/deploy-fixture';
import { waitForState } from '../support/workflow-harness';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
type WorkflowBundle = NonNullable<WorkerOptions['workflowBundle']>;

const quietLogger = { log() {}, trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error };

/** A workflow bundle of this entry module, built as the worker's own (same payload converter). */
export async function bundleRevision(workflowsPath: string): Promise<{ code: string }> {
  const { code } = await bundleWorkflowCode({
    workflowsPath,
    payloadConverterPath: PAYLOAD_CONVERTER_PATH,
    logger: quietLogger,
  });
  return { code };
}

/** What a worker of either revision needs: connections, the scripted model, DeployBot's tools on a fixture repository. */
export interface UpgradeEnvironment {
  client: Client;
  model: ScriptedModelServer;
  /** A worker of this revision on the environment's task queue; stop() returns once it has shut down. */
  startWorker(workflowBundle: WorkflowBundle): Promise<{ stop(): Promise<void> }>;
  taskQueue: string;
  close(): Promise<void>;
}

export async function createUpgradeEnvironment(address: string, namespace = 'default'): Promise<UpgradeEnvironment> {
  const taskQueue = `upgrade-${process.pid}-${Date.now()}`;
  const [connection, native, model, fixture]: [Connection, NativeConnection, ScriptedModelServer, DeployFixture] =
    await Promise.all([
      Connection.connect({ address }),
      NativeConnection.connect({ address }),
      startScriptedModelServer({ script: [] }),
      createDeployFixture(),
    ]);
  const client = new Client({ connection, namespace });
  const channel = createConsoleChannel(() => undefined);
  const releases = createReleaseStore({ repo: fixture.repo, root: fixture.root, testCommand: FIXTURE_TEST_COMMAND });
  const activities: Activities = createActivities({
    openai: new OpenAI({ baseURL: model.baseURL, apiKey: 'scripted', maxRetries: 0 }),
    executors: createToolExecutors({ releases, channel, listRuns: createListRuns({ client, taskQueue }) }),
    channel,
    policy: { kind: 'none' },
    releases,
  });
  return {
    client,
    model,
    taskQueue,
    async startWorker(workflowBundle) {
      const worker = await createWorker({ connection: native, namespace, taskQueue, activities, workflowBundle });
      const running = worker.run();
      return {
        async stop() {
          worker.shutdown();
          await running;
        },
      };
    },
    async close() {
      await Promise.all([connection.close(), native.close(), model.close(), fixture.cleanup()]);
    },
  };
}

export interface WaitingRunUpgrade {
  handle: WorkflowHandle;
  result: AgentRunResult;
  thread: ThreadEvent[];
  /** The history when N's worker stopped, and at the end. */
  historyOnN: HistoryEvent[];
  history: HistoryEvent[];
  memo: Record<string, unknown>;
}

/** A DeployBot run waits for approval on `revisionN`; N's worker stops; `revisionNext`'s starts; the approval arrives. */
export async function upgradeWaitingRun(
  environment: UpgradeEnvironment,
  revisions: { revisionN: WorkflowBundle; revisionNext: WorkflowBundle },
): Promise<WaitingRunUpgrade> {
  const { client, model, taskQueue } = environment;
  model.enqueue(
    callTool('deploy_to_production', { ref: 'main' }),
    callTool('done_for_now', { message: 'main is live' }),
  );
  const workerN = await environment.startWorker(revisions.revisionN);
  const handle = await client.workflow.start(AGENT_WORKFLOW_TYPE, {
    taskQueue,
    workflowId: `upgrade-${Date.now()}`,
    args: [{ agent: 'deploybot', message: 'deploy main to production' }],
  });
  const waiting = await waitForState(handle, (state) => state.status === 'awaiting_approval', 60_000);
  await workerN.stop();
  const historyOnN = (await handle.fetchHistory()).events ?? [];

  const workerNext = await environment.startWorker(revisions.revisionNext);
  try {
    await handle.signal(approveSignal, { requestId: waiting.pending!.requestId, by: 'alice' });
    const result = (await handle.result()) as AgentRunResult;
    const { events: thread } = await handle.query(threadQuery);
    const history = (await handle.fetchHistory()).events ?? [];
    return { handle, result, thread, historyOnN, history, memo: (await handle.describe()).memo ?? {} };
  } finally {
    await workerNext.stop();
  }
}

/** The patch id a `patched()` marker records; undefined for other events. */
export function patchMarked(event: HistoryEvent): string | undefined {
  const marker = event.markerRecordedEventAttributes;
  if (marker?.markerName !== 'core_patch') return undefined;
  const data = marker.details?.['patch-data']?.payloads?.[0]?.data;
  return data ? (JSON.parse(Buffer.from(data).toString('utf8')) as { id: string }).id : undefined;
}

/** Where in the history the approval signal arrived. */
export function signalledAt(history: HistoryEvent[]): number {
  return history.findIndex(
    (event) => event.eventType === temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED,
  );
}
