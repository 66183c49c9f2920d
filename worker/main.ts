// The worker process alone, for a Temporal server that runs elsewhere (docker-compose, a cluster).
import { temporalSettings } from '../client/connect';
import { parseConfig } from '../core/config';
import { activitiesFromConfig } from './activities-from-config';
import { installWorkerRuntime, metricsEndpoint } from './runtime';
import { startWorker } from './start-worker';

async function main(): Promise<void> {
  const config = parseConfig(process.env);
  installWorkerRuntime(config.TFA_LOG_LEVEL, metricsEndpoint(config));
  const temporal = temporalSettings(process.env);
  const worker = await startWorker({
    config,
    temporal,
    serviceName: 'tfa-worker',
    workflowBundle: config.TFA_WORKFLOW_BUNDLE ? { codePath: config.TFA_WORKFLOW_BUNDLE } : undefined,
    activities: (tracing) => activitiesFromConfig(config, process.cwd(), console.log, undefined, temporal, tracing),
  });
  console.log(
    `[tfa] worker polling task queue "${config.TFA_TASK_QUEUE}" on ${temporal.address}, namespace "${temporal.namespace}"`,
  );
  try {
    await worker.run(); // shuts down gracefully on SIGINT/SIGTERM
  } finally {
    await worker.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
