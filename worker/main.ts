// The worker process alone, for a Temporal server that runs elsewhere (docker-compose, a cluster).
import { workerPayloadCodecs } from '../codec/from-config';
import { connectWorker, temporalSettings } from '../client/connect';
import { startTracing } from '../activities/telemetry/tracing';
import { parseConfig } from '../core/config';
import { activitiesFromConfig } from './activities-from-config';
import { createWorker } from './create-worker';
import { installWorkerRuntime, metricsEndpoint } from './runtime';
import { startWorkerMetrics } from './run-gauges';

async function main(): Promise<void> {
  const config = parseConfig(process.env);
  installWorkerRuntime(config.TFA_LOG_LEVEL, metricsEndpoint(config));
  const temporal = temporalSettings(process.env);
  const connection = await connectWorker(temporal);
  const tracing = await startTracing('tfa-worker'); // OTEL_EXPORTER_OTLP_ENDPOINT turns it on
  const worker = await createWorker({
    connection,
    namespace: temporal.namespace,
    taskQueue: config.TFA_TASK_QUEUE,
    workflowBundle: config.TFA_WORKFLOW_BUNDLE ? { codePath: config.TFA_WORKFLOW_BUNDLE } : undefined,
    activities: activitiesFromConfig(config, process.cwd(), console.log, undefined, temporal, tracing),
    payloadCodecs: workerPayloadCodecs(config, console.warn),
    tracing,
    maxCachedWorkflows: config.TFA_MAX_CACHED_WORKFLOWS,
  });
  console.log(
    `[tfa] worker polling task queue "${config.TFA_TASK_QUEUE}" on ${temporal.address}, namespace "${temporal.namespace}"`,
  );
  const metrics = startWorkerMetrics(metricsEndpoint(config), {
    connection,
    namespace: temporal.namespace,
    taskQueue: config.TFA_TASK_QUEUE,
  });
  try {
    await worker.run(); // shuts down gracefully on SIGINT/SIGTERM
  } finally {
    metrics.stop();
    await connection.close();
    await tracing?.shutdown(); // exports the last spans
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
