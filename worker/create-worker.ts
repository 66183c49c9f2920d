import type { PayloadCodec } from '@temporalio/common';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Activities } from '../activities';
import type { Tracing } from '../activities/telemetry/tracing';
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
  /** Temporal's OpenTelemetry interceptors and sink; a prebuilt bundle must then include TRACING_WORKFLOW_MODULES. None: no tracing. */
  tracing?: Tracing;
}

/** The payload converter every worker and workflow bundle uses: undecodable payloads become refusals. */
export const PAYLOAD_CONVERTER_PATH = require.resolve('../workflows/payload-converter');

/** One worker runs every agent's workflows and activities; start more on the same queue to scale out. */
export async function createWorker(options: CreateWorkerOptions): Promise<Worker> {
  await ensureSearchAttributes(options.connection, options.namespace);
  const traced = options.tracing?.workerOptions();
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    activities: options.activities,
    // A prebuilt bundle must be bundled with the same path (bundleWorkflowCode's payloadConverterPath).
    dataConverter: { payloadConverterPath: PAYLOAD_CONVERTER_PATH, payloadCodecs: options.payloadCodecs ?? [] },
    ...(options.workflowBundle
      ? { workflowBundle: options.workflowBundle }
      : { workflowsPath: require.resolve('../workflows') }),
    // A prebuilt bundle already holds (or lacks) the workflow interceptors; only a bundle made here takes them.
    ...(traced && { sinks: traced.sinks, interceptors: options.workflowBundle ? { ...traced.interceptors, workflowModules: [] } : traced.interceptors }),
  });
}
