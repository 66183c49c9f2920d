/**
 * The worker of `npm start` and `npm run worker`, started one way: connected, traced and metered from the
 * config. `run` polls until SIGINT/SIGTERM; `close` releases what the start opened.
 */
import type { NativeConnection } from '@temporalio/worker';
import type { Activities } from '../activities';
import { startTracing, type Tracing } from '../activities/telemetry/tracing';
import { connectWorker, type TemporalSettings } from '../client/connect';
import { workerPayloadCodecs } from '../codec/from-config';
import type { TfaConfig } from '../core/config';
import { createWorker } from './create-worker';
import { startWorkerMetrics } from './run-gauges';
import { trimHeapWhenIdle } from './idle-heap-trim';
import { metricsEndpoint } from './runtime';
import { capWorkflowThreadHeap } from './workflow-thread-heap';

export interface StartWorkerOptions {
  config: TfaConfig;
  temporal: TemporalSettings;
  /** The trace service name (`tfa` for npm start, `tfa-worker` alone); OTEL_EXPORTER_OTLP_ENDPOINT turns tracing on. */
  serviceName: string;
  /** The activities, built once tracing is known (their model calls and tool runs are spans). */
  activities: (tracing: Tracing | undefined) => Activities;
  /** A prebuilt workflow bundle (TFA_WORKFLOW_BUNDLE); default: bundled at start. */
  workflowBundle?: { codePath: string };
}

export interface StartedWorker {
  connection: NativeConnection;
  tracing: Tracing | undefined;
  /**
   * Polls the task queue, with the metrics endpoint serving and the heap trimmed when quiet
   * (idle-heap-trim.ts), until SIGINT/SIGTERM and in-flight tasks are done.
   */
  run(): Promise<void>;
  /** Closes the connection and exports the last spans. */
  close(): Promise<void>;
}

/** Call installWorkerRuntime first: the runtime's logging and metrics are set once per process. */
export async function startWorker(options: StartWorkerOptions): Promise<StartedWorker> {
  const { config, temporal } = options;
  const connection = await connectWorker(temporal);
  const tracing = await startTracing(options.serviceName);
  // Both before createWorker starts the workflow thread (workflow-thread-heap.ts and idle-heap-trim.ts say why).
  capWorkflowThreadHeap();
  const trimmer = trimHeapWhenIdle();
  const worker = await createWorker({
    connection,
    namespace: temporal.namespace,
    taskQueue: config.TFA_TASK_QUEUE,
    workflowBundle: options.workflowBundle,
    activities: options.activities(tracing),
    payloadCodecs: workerPayloadCodecs(config, console.warn),
    tracing,
    maxCachedWorkflows: config.TFA_MAX_CACHED_WORKFLOWS,
  });
  return {
    connection,
    tracing,
    async run() {
      const metrics = startWorkerMetrics(metricsEndpoint(config), {
        connection,
        namespace: temporal.namespace,
        taskQueue: config.TFA_TASK_QUEUE,
      });
      try {
        await worker.run();
      } finally {
        trimmer.stop();
        metrics.stop();
      }
    },
    async close() {
      trimmer.stop();
      await connection.close();
      await tracing?.shutdown();
    },
  };
}
