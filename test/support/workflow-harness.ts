import { Client, Connection, WorkflowNotFoundError, type WorkflowHandle } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import OpenAI from 'openai';
import { createActivities, type Activities } from '../../activities';
import type { Tracing } from '../../activities/telemetry/tracing';
import { createReleaseStore } from '../../activities/deploybot/release-store';
import { createListRuns } from '../../activities/reporter/list-runs';
import { createToolExecutors } from '../../activities/tool-executors';
import type { NotificationChannel } from '../../activities/channels/channel';
import { createConsoleChannel } from '../../activities/channels/console-channel';
import type { ToolExecutors } from '../../activities/execute-tool';
import { clientPayloadCodecs, workerPayloadCodecs } from '../../codec/from-config';
import { parseConfig } from '../../core/config';
import { PolicyFile } from '../../core/policy';
import type { PriceTable } from '../../core/usage';
import type { AgentState } from '../../core/reducer';
import type { ThreadEvent } from '../../core/thread';
import { createWorker } from '../../worker/create-worker';
import { approveSignal, statusQuery, threadQuery } from '../../workflows/messages';
import { createDeployFixture, FIXTURE_TEST_COMMAND, type DeployFixture } from './deploy-fixture';
import {
  startScriptedModelServer,
  type ScriptedModelServer,
  type ScriptedReply,
  type ScriptedResponder,
} from '../../scripts/scripted-model/server';
import { testServerAddress, workflowBundlePath } from './test-server';

export interface Harness {
  client: Client;
  model: ScriptedModelServer;
  fixture: DeployFixture;
  taskQueue: string;
  /** What the console notification channel wrote. */
  notifications: string[];
  worker: Worker;
  close(): Promise<void>;
}

let queueCounter = 0;

/** A real worker on the shared dev server, with the scripted model and real DeployBot tools on a temp repo. */
export interface HarnessOptions {
  script?: ScriptedReply[];
  /** Wraps the real activities, e.g. to slow one down. */
  wrapActivities?: (activities: Activities) => Activities;
  /** Answers once the script is used up (e.g. per-run replies for runs that go on side by side). */
  responder?: ScriptedResponder;
  executors?: ToolExecutors;
  /** Default: the console channel, collected in `notifications`. */
  channel?: NotificationChannel;
  /** A policy file's contents; default none (development: anyone may decide). */
  policy?: Partial<PolicyFile>;
  /** Poll an existing task queue (e.g. to take over the runs of a closed harness); default a new one. */
  taskQueue?: string;
  /** TFA_ENCRYPTION_KEYS for the harness's client and worker; default none (plaintext payloads). */
  encryptionKeys?: string;
  /** A Temporal server the test started itself; default the shared test server. */
  address?: string;
  /** A namespace the test registered (test/support/namespaces.ts) for the client and the worker; default `default`. */
  namespace?: string;
  /** How many runs the worker caches; default the worker's own (DEFAULT_MAX_CACHED_WORKFLOWS). */
  maxCachedWorkflows?: number;
  /** Traces the worker, its activities and `client`; pass a bundle built with TRACING_WORKFLOW_MODULES as `workflowBundlePath`. */
  tracing?: Tracing;
  /** Default: the bundle jest's global setup built. */
  workflowBundlePath?: string;
  /** The worker's price table; default none (every call unpriced). */
  prices?: PriceTable;
  /** How long a chain of decisions goes between two checks that nothing reached the run: 0 checks before each; default the worker's. */
  runCheckIntervalMs?: number;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const address = options.address ?? testServerAddress();
  const fixture = await createDeployFixture();
  const model = await startScriptedModelServer({ script: options.script ?? [], responder: options.responder });
  const notifications: string[] = [];
  const releases = createReleaseStore({ repo: fixture.repo, root: fixture.root, testCommand: FIXTURE_TEST_COMMAND });
  const channel = options.channel ?? createConsoleChannel((text) => notifications.push(text));
  const taskQueue = options.taskQueue ?? `test-${process.pid}-${++queueCounter}-${Date.now()}`;
  const connection = await Connection.connect({ address });
  const encryption = parseConfig({ TFA_ENCRYPTION_KEYS: options.encryptionKeys });
  const namespace = options.namespace ?? 'default';
  const client = new Client({
    connection,
    namespace,
    dataConverter: { payloadCodecs: clientPayloadCodecs(encryption) },
    interceptors: options.tracing?.clientInterceptors(),
  });
  // The reporter sees only this harness's runs, not those of tests running beside it.
  const listRuns = createListRuns({ client, taskQueue });
  const activities = createActivities({
    openai: new OpenAI({ baseURL: model.baseURL, apiKey: 'scripted', maxRetries: 0, timeout: 5_000 }),
    executors: options.executors ?? createToolExecutors({ releases, channel, listRuns }),
    channel,
    policy: options.policy ? { kind: 'file', file: PolicyFile.parse(options.policy) } : { kind: 'none' },
    releases,
    tracing: options.tracing,
    prices: options.prices,
    runCheckIntervalMs: options.runCheckIntervalMs,
  });
  const nativeConnection = await NativeConnection.connect({ address });
  const worker = await createWorker({
    connection: nativeConnection,
    namespace,
    taskQueue,
    activities: options.wrapActivities?.(activities) ?? activities,
    workflowBundle: { codePath: options.workflowBundlePath ?? workflowBundlePath() },
    payloadCodecs: workerPayloadCodecs(encryption, console.warn),
    tracing: options.tracing,
    maxCachedWorkflows: options.maxCachedWorkflows,
  });
  const running = worker.run();
  return {
    client,
    model,
    fixture,
    taskQueue,
    notifications,
    worker,
    async close() {
      worker.shutdown();
      await running;
      await Promise.all([nativeConnection.close(), connection.close(), model.close(), fixture.cleanup()]);
    },
  };
}

/** Polls until `check` gives a value other than undefined/false (it may be async); `describe` names the last miss. */
export async function eventually<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 10_000,
  describe: () => string = () => '',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline)
      throw new Error(`condition not met within ${timeoutMs} ms${describe() && `; last: ${describe()}`}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Polls the `status` query until the predicate holds (the run moves on its own; we only watch). */
export async function waitForState(
  handle: WorkflowHandle,
  predicate: (state: AgentState) => boolean,
  timeoutMs = 20_000,
): Promise<AgentState> {
  let last: unknown = 'workflow not found yet';
  return eventually(
    async () => {
      // A child workflow may not exist yet: keep polling until the deadline.
      const state = await handle.query(statusQuery).catch((error: unknown) => {
        if (error instanceof WorkflowNotFoundError) return undefined;
        throw error;
      });
      last = state ?? last;
      return state && predicate(state) ? state : undefined;
    },
    timeoutMs,
    () => JSON.stringify(last),
  );
}

/** The events of a run's thread once it has ended; fails the test unless it ended `completed`. */
export async function eventsOfCompletedRun(handle: WorkflowHandle): Promise<ThreadEvent[]> {
  expect(await handle.result()).toMatchObject({ status: 'completed' });
  return (await handle.query(threadQuery)).events;
}

/**
 * Grows the run's history with refused approvals (their `by` is over its limit, so each lands whole)
 * until the run continues as new; returns once the latest run is not `firstRunId`.
 */
export async function floodUntilContinuedAsNew(handle: WorkflowHandle, firstRunId: string): Promise<void> {
  const flood = { by: 'x'.repeat(40_000) };
  let sent = 0;
  await eventually(async () => {
    if ((await handle.describe()).runId !== firstRunId) return true;
    if (sent++ < 40) await handle.signal(approveSignal, flood);
    return false;
  }, 60_000);
}
