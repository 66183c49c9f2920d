// The worker of pausedRuns (tfa-figures.ts) in a process of its own, as `npm run worker` runs one, so the
// RSS the bench reads is the worker's alone: no client, scripted model or bundler beside it. Tools are
// no-ops and the release store is the tests' fixture repository. Prints `ready` once polling and
// `waiting` for each approval notice. Env: TEMPORAL_ADDRESS, TFA_TASK_QUEUE, OPENAI_BASE_URL,
// TFA_WORKFLOW_BUNDLE and TFA_MAX_CACHED_WORKFLOWS (the names `npm run worker` reads).
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import OpenAI from 'openai';
import { createActivities } from '../activities';
import { createConsoleChannel } from '../activities/channels/console-channel';
import { createReleaseStore } from '../activities/deploybot/release-store';
import { createDeployFixture, FIXTURE_TEST_COMMAND } from '../test/support/deploy-fixture';
import { createWorker } from '../worker/create-worker';
import { trimHeapWhenIdle } from '../worker/idle-heap-trim';
import { capWorkflowThreadHeap, WORKFLOW_SEMI_SPACE_MB } from '../worker/workflow-thread-heap';
import { cachedRunsOption, NO_OP_EXECUTORS } from './tfa-figures';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`bench/paused-worker.ts: ${name} is not set`);
  return value;
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const fixture = await createDeployFixture();
  const channel = createConsoleChannel(() => process.stdout.write('waiting\n'));
  const activities = createActivities({
    openai: new OpenAI({ baseURL: required('OPENAI_BASE_URL'), apiKey: 'scripted', maxRetries: 0 }),
    executors: NO_OP_EXECUTORS,
    channel,
    releases: createReleaseStore({ repo: fixture.repo, root: fixture.root, testCommand: FIXTURE_TEST_COMMAND }),
  });
  const connection = await NativeConnection.connect({ address: required('TEMPORAL_ADDRESS') });
  // Both before createWorker starts the workflow thread, as startWorker does (TFA_BENCH_SEMI_SPACE_MB=0: V8's default heap).
  const semiSpaceMb = Number(process.env.TFA_BENCH_SEMI_SPACE_MB ?? WORKFLOW_SEMI_SPACE_MB);
  if (semiSpaceMb > 0) capWorkflowThreadHeap(semiSpaceMb);
  const trimmer = trimHeapWhenIdle();
  const worker = await createWorker({
    connection,
    namespace: 'default',
    taskQueue: required('TFA_TASK_QUEUE'),
    activities,
    workflowBundle: { codePath: required('TFA_WORKFLOW_BUNDLE') },
    maxCachedWorkflows: cachedRunsOption(),
  });
  process.once('SIGTERM', () => worker.shutdown());
  const running = worker.run();
  process.stdout.write('ready\n');
  try {
    await running;
  } finally {
    trimmer.stop();
    await connection.close();
    await fixture.cleanup();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
