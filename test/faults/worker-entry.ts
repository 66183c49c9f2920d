// worker/main.ts with one difference: the workflow code is the bundle jest's global setup built
// once (TFA_TEST_WORKFLOW_BUNDLE), so every worker process a fault scenario starts and kills runs
// the same workflow code, however the checkout changes meanwhile, and none pays for webpack again.
import { connectWorker, temporalSettings } from '../../client/connect';
import { parseConfig } from '../../core/config';
import { activitiesFromConfig } from '../../worker/activities-from-config';
import { createWorker } from '../../worker/create-worker';
import { installWorkerRuntime } from '../../worker/runtime';
import { workflowBundlePath } from '../support/test-server';

async function main(): Promise<void> {
  const config = parseConfig(process.env);
  installWorkerRuntime(config.TFA_LOG_LEVEL);
  const temporal = temporalSettings(process.env);
  const connection = await connectWorker(temporal);
  const worker = await createWorker({
    connection,
    namespace: temporal.namespace,
    taskQueue: config.TFA_TASK_QUEUE,
    activities: activitiesFromConfig(config, process.cwd(), console.log, undefined, temporal),
    workflowBundle: { codePath: workflowBundlePath() },
  });
  console.log(`[tfa] worker polling task queue "${config.TFA_TASK_QUEUE}" on ${temporal.address}`);
  try {
    await worker.run();
  } finally {
    await connection.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
