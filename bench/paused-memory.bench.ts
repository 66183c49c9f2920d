// What a run waiting for approval costs a worker, by worker and bundle option (issue 12, item 5).
// `node --expose-gc --import tsx bench/paused-memory.bench.ts`, with
//   TFA_BENCH_RUNS=200                                     runs left waiting
//   TFA_BENCH_WORKER_OPTIONS='{"maxCachedWorkflows":20}'   WorkerOptions merged in (JSON)
//   TFA_BENCH_WORKER_OPTIONS='{"debugMode":true}'          workflows on the main thread, so the heap figures see them
//   TFA_BENCH_PRELOAD=zod,@noble/curves/ed25519            bundleWorkflowCode's preloadModules (shared by all runs)
//   TFA_BENCH_HEAP_SNAPSHOT=/tmp/paused.heapsnapshot       written with all runs waiting
// Prints one JSON line: RSS and heap idle and with the runs waiting, per run, and how long starting,
// resuming one and approving the rest took. Prints figures; asserts nothing.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import { Client, Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  bundleWorkflowCode,
  DefaultLogger,
  NativeConnection,
  Runtime,
  Worker,
  type WorkerOptions,
} from '@temporalio/worker';
import OpenAI from 'openai';
import { createActivities } from '../activities';
import { createConsoleChannel } from '../activities/channels/console-channel';
import { createReleaseStore } from '../activities/deploybot/release-store';
import { AGENT_WORKFLOW_TYPE } from '../core/constants';
import { devServerTuningArgs } from '../scripts/dev-server-tuning';
import { startScriptedModelServer } from '../scripts/scripted-model/server';
import { ensureTemporalCli } from '../scripts/temporal-cli.cjs';
import { PAYLOAD_CONVERTER_PATH } from '../worker/create-worker';
import { approveSignal } from '../workflows/messages';
import { TFA_SEARCH_ATTRIBUTE_KEYS } from '../workflows/search-attributes';
import { NO_OP_EXECUTORS } from './tfa-figures';

const RUNS = Number(process.env.TFA_BENCH_RUNS ?? 200);
const WORKER_OPTIONS = JSON.parse(process.env.TFA_BENCH_WORKER_OPTIONS ?? '{}') as Partial<WorkerOptions>;
const PRELOAD = process.env.TFA_BENCH_PRELOAD ? process.env.TFA_BENCH_PRELOAD.split(',') : undefined;

const mb = (bytes: number) => Math.round(bytes / 1e6);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const call = (name: string, args: Record<string, unknown>) => ({ toolCall: { name, arguments: args } });

/** RSS and the main thread's used heap after a collection (node --expose-gc). */
async function memory(): Promise<{ rss: number; heap: number }> {
  await sleep(3_000);
  (globalThis as { gc?: () => void }).gc?.();
  return { rss: process.memoryUsage().rss, heap: v8.getHeapStatistics().used_heap_size };
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const server = {
    executable: { type: 'existing-path' as const, path: ensureTemporalCli() },
    ip: '127.0.0.1',
    ui: false,
    searchAttributes: TFA_SEARCH_ATTRIBUTE_KEYS,
    extraArgs: devServerTuningArgs({ sqlite: false }),
  };
  const env = await TestWorkflowEnvironment.createLocal({ server });
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../workflows'),
    payloadConverterPath: PAYLOAD_CONVERTER_PATH,
    preloadModules: PRELOAD,
    logger: new DefaultLogger('ERROR'),
  });
  const model = await startScriptedModelServer({ script: [] });
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tfa-paused-'));
  const activities = createActivities({
    openai: new OpenAI({ baseURL: model.baseURL, apiKey: 'scripted', maxRetries: 0 }),
    executors: NO_OP_EXECUTORS,
    channel: createConsoleChannel(() => {}),
    releases: createReleaseStore({ repo: dir, root: dir, testCommand: 'true' }),
    resolvers: { deploybot: { deploy_to_production: async () => ({ ref: 'main', sha: 'a'.repeat(40) }) } },
  });
  const connection = await Connection.connect({ address: env.address });
  const client = new Client({ connection });
  const native = await NativeConnection.connect({ address: env.address });
  const taskQueue = `paused-${Date.now()}`;
  const worker = await Worker.create({
    connection: native,
    taskQueue,
    activities,
    workflowBundle: { code },
    dataConverter: { payloadConverterPath: PAYLOAD_CONVERTER_PATH },
    ...WORKER_OPTIONS,
  });
  const running = worker.run();
  const start = (name: string) =>
    client.workflow.start(AGENT_WORKFLOW_TYPE, {
      taskQueue,
      workflowId: `paused-${name}-${Date.now()}`,
      args: [{ agent: 'deploybot', message: 'deploy main' }],
    });
  model.enqueue(
    ...Array.from({ length: 3 }, () => [
      call('list_releases', { environment: 'staging' }),
      call('done_for_now', { message: 'ok' }),
    ]).flat(),
  );
  for (const warmUp of ['a', 'b', 'c']) await (await start(`warm-up-${warmUp}`)).result();
  const idle = await memory();
  model.enqueue(...Array.from({ length: RUNS }, () => call('deploy_to_production', { ref: 'main' })));
  const startedAt = performance.now();
  const handles = [];
  for (let run = 0; run < RUNS; run++) handles.push(await start(String(run)));
  while ((await client.workflow.count(`TaskQueue="${taskQueue}" AND TfaStatus="awaiting_approval"`)).count < RUNS)
    await sleep(300);
  const startAllS = (performance.now() - startedAt) / 1000;
  const paused = await memory();
  if (process.env.TFA_BENCH_HEAP_SNAPSHOT) v8.writeHeapSnapshot(process.env.TFA_BENCH_HEAP_SNAPSHOT);
  model.enqueue(...Array.from({ length: RUNS }, () => call('done_for_now', { message: 'deployed' })));
  const resumedAt = performance.now();
  await handles[0]!.signal(approveSignal, { by: 'bench' });
  await handles[0]!.result();
  const resumeOneMs = performance.now() - resumedAt;
  const approvedAt = performance.now();
  await Promise.all(handles.slice(1).map((handle) => handle.signal(approveSignal, { by: 'bench' })));
  await Promise.all(handles.slice(1).map((handle) => handle.result()));
  console.log(
    JSON.stringify({
      runs: RUNS,
      workerOptions: WORKER_OPTIONS,
      preloadModules: PRELOAD,
      idleRssMb: mb(idle.rss),
      pausedRssMb: mb(paused.rss),
      rssKbPerRun: Math.round((paused.rss - idle.rss) / RUNS / 1e3),
      idleHeapMb: mb(idle.heap),
      pausedHeapMb: mb(paused.heap),
      heapKbPerRun: Math.round((paused.heap - idle.heap) / RUNS / 1e3),
      startAllS: Math.round(startAllS * 10) / 10,
      resumeOneMs: Math.round(resumeOneMs),
      approveOthersS: Math.round((performance.now() - approvedAt) / 100) / 10,
    }),
  );
  worker.shutdown();
  await running;
  await Promise.all([native.close(), connection.close(), model.close()]);
  await env.teardown();
  await fs.rm(dir, { recursive: true, force: true });
}

void main();
