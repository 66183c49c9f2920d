// The worker process alone, for a Temporal server that runs elsewhere (docker-compose, a cluster).
import { NativeConnection } from '@temporalio/worker';
import { parseConfig } from '../core/config';
import { activitiesFromConfig } from './activities-from-config';
import { createWorker } from './create-worker';
import { installRuntime } from './quiet-runtime';

async function main(): Promise<void> {
  const config = parseConfig(process.env);
  installRuntime(config.TFA_LOG_LEVEL);
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS }).catch((error: unknown) => {
    const text = error instanceof Error ? error.message : String(error);
    // The native client's transport errors end in the OS's words, e.g. message: "Connection refused".
    const reason = /message: "([^"]+)"/.exec(text)?.[1] ?? text.split('\n')[0];
    throw new Error(`cannot reach Temporal at ${config.TEMPORAL_ADDRESS} (TEMPORAL_ADDRESS): ${reason}. Start a server (\`npm start\` runs a dev server with its own worker) or point TEMPORAL_ADDRESS at yours.`);
  });
  const worker = await createWorker({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TFA_TASK_QUEUE,
    workflowBundle: config.TFA_WORKFLOW_BUNDLE ? { codePath: config.TFA_WORKFLOW_BUNDLE } : undefined,
    activities: activitiesFromConfig(config, process.cwd()),
  });
  console.log(`[tfa] worker polling task queue "${config.TFA_TASK_QUEUE}" on ${config.TEMPORAL_ADDRESS}`);
  try {
    await worker.run(); // shuts down gracefully on SIGINT/SIGTERM
  } finally {
    await connection.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
