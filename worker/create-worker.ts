import type { PayloadCodec } from '@temporalio/common';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Activities } from '../activities';
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
}

/** The payload converter every worker and workflow bundle uses: undecodable payloads become refusals. */
export const PAYLOAD_CONVERTER_PATH = require.resolve('../workflows/payload-converter');

/** One worker runs every agent's workflows and activities; start more on the same queue to scale out. */
export async function createWorker(options: CreateWorkerOptions): Promise<Worker> {
  await ensureSearchAttributes(options.connection, options.namespace);
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
  });
}
