import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { PayloadCodec } from '@temporalio/common';
import { bundleWorkflowCode, NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Activities } from '../activities';
import { bundleTracesWorkflows, type Tracing } from '../activities/telemetry/tracing';
import { ensureSearchAttributes } from './ensure-search-attributes';

export interface CreateWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: Activities;
  /** A prebuilt bundle (tests bundle once per run), built with PAYLOAD_CONVERTER_PATH; otherwise the workflows are bundled at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** The encryption codec (codec/from-config.ts workerPayloadCodecs); none: payloads are plaintext. */
  payloadCodecs?: PayloadCodec[];
  /** Temporal's OpenTelemetry interceptors and sink (a prebuilt bundle without TRACING_WORKFLOW_MODULES is then set aside). None: no tracing. */
  tracing?: Tracing;
  /**
   * Runs kept in memory between their workflow tasks (TFA_MAX_CACHED_WORKFLOWS). The least recently
   * active run is evicted first, so runs waiting for a person leave the cache and cost nothing until
   * they resume (replaying their history, tens of ms). Default DEFAULT_MAX_CACHED_WORKFLOWS.
   */
  maxCachedWorkflows?: number;
}

/** The payload converter every worker and workflow bundle uses: undecodable payloads become refusals. */
export const PAYLOAD_CONVERTER_PATH = require.resolve('../workflows/payload-converter');

/**
 * Modules evaluated once in the worker's workflow context and shared by every run (bundleWorkflowCode's
 * preloadModules): the zod library, then core/ and agents/ with their schemas. Without them a bundle
 * still works, each run evaluating its own copies (~1 MB of schemas per cached run).
 */
export const WORKFLOW_PRELOAD_MODULES: readonly string[] = [
  require.resolve('../workflows/shared-zod'),
  require.resolve('../workflows/shared-modules'),
];

/**
 * Runs a worker keeps cached by default: room for that many runs stepping at once without replays, at
 * ~0.2 MB of heap each (their thread, state and workflows/ modules); a run waiting for a person is soon
 * evicted.
 */
export const DEFAULT_MAX_CACHED_WORKFLOWS = 32;

/** The SDK's default number of workflow tasks a worker runs at once; never more than the cache holds. */
const MAX_CONCURRENT_WORKFLOW_TASKS = 40;

/** The failure converter of an encrypting worker (codec/encoded-failures.ts). */
const ENCODED_FAILURES_PATH = require.resolve('../codec/encoded-failures');

/** The deployment name every tfa worker reports with its build id. */
export const WORKER_DEPLOYMENT_NAME = 'tfa';

/**
 * The build id a worker reports (recorded on every workflow task it completes): tfa's version and the
 * first 12 hex digits of the bundle's sha256, so two workers share one exactly when they run the same
 * workflow code. The SDK's default spells the whole digest, ~60 bytes more in three events of every step.
 */
export function workflowBuildId(bundle: { code: string } | { codePath: string }): string {
  const code = 'code' in bundle ? bundle.code : readFileSync(bundle.codePath, 'utf8');
  const { version } = JSON.parse(readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as {
    version: string;
  };
  return `tfa@${version}+${createHash('sha256').update(code).digest('hex').slice(0, 12)}`;
}

/** One worker runs every agent's workflows and activities; start more on the same queue to scale out. */
export async function createWorker(options: CreateWorkerOptions): Promise<Worker> {
  await ensureSearchAttributes(options.connection, options.namespace);
  const traced = options.tracing?.workerOptions();
  const encodedFailures = Boolean(options.payloadCodecs?.length);
  // A bundle made without the workflow interceptors would leave the workflow out of every trace.
  const prebuilt =
    options.workflowBundle && (!traced || bundleTracesWorkflows(options.workflowBundle))
      ? options.workflowBundle
      : undefined;
  if (options.workflowBundle && !prebuilt)
    console.warn(
      '[tfa] tracing is on and TFA_WORKFLOW_BUNDLE was bundled without it: bundling workflows/ at start instead (`npm run bundle` with OTEL_EXPORTER_OTLP_ENDPOINT set includes it)',
    );
  const workflowBundle =
    prebuilt ??
    (await bundleWorkflowCode({
      workflowsPath: require.resolve('../workflows'),
      payloadConverterPath: PAYLOAD_CONVERTER_PATH,
      ...(encodedFailures ? { failureConverterPath: ENCODED_FAILURES_PATH } : {}),
      preloadModules: [...WORKFLOW_PRELOAD_MODULES],
      workflowInterceptorModules: traced?.interceptors.workflowModules ?? [],
      logger: Runtime.instance().logger,
    }));
  const maxCachedWorkflows = options.maxCachedWorkflows ?? DEFAULT_MAX_CACHED_WORKFLOWS;
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    activities: options.activities,
    maxCachedWorkflows,
    maxConcurrentWorkflowTaskExecutions: Math.min(MAX_CONCURRENT_WORKFLOW_TASKS, maxCachedWorkflows),
    // Reported, not routed by: runs are not pinned to a version (upgrades follow patched(), README "Upgrading").
    workerDeploymentOptions: {
      version: { deploymentName: WORKER_DEPLOYMENT_NAME, buildId: workflowBuildId(workflowBundle) },
      useWorkerVersioning: false,
    },
    // The bundle must be bundled with the same path (bundleWorkflowCode's payloadConverterPath).
    dataConverter: {
      payloadConverterPath: PAYLOAD_CONVERTER_PATH,
      payloadCodecs: options.payloadCodecs ?? [],
      // With a codec (encryption), failure messages are encoded too; a prebuilt bundle keeps the default
      // converter for workflow failures, and every converter decodes either form.
      ...(encodedFailures ? { failureConverterPath: ENCODED_FAILURES_PATH } : {}),
    },
    workflowBundle,
    // The bundle already holds the workflow interceptors.
    ...(traced && { sinks: traced.sinks, interceptors: { ...traced.interceptors, workflowModules: [] } }),
  });
}
