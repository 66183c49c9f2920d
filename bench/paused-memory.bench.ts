// What a run waiting for approval costs a worker, by worker and bundle option (issue 12, item 5).
// `node --expose-gc --import tsx bench/paused-memory.bench.ts`, with
//   TFA_BENCH_RUNS=200                                     runs left waiting
//   TFA_BENCH_IN_FLIGHT=20                                 at most this many runs started and not yet waiting (default: all at once)
//   TFA_BENCH_APPROVALS_AT_ONCE=16                         approvals outstanding at once (default: all at once)
//   TFA_MAX_CACHED_WORKFLOWS=32                            the worker's cache, as for tfa's worker (default: create-worker.ts)
//   TFA_BENCH_WORKER_OPTIONS='{"reuseV8Context":false}'    WorkerOptions merged in (JSON)
//   TFA_BENCH_WORKER_OPTIONS='{"debugMode":true}'          workflows on the main thread, so the heap figures see them
//   TFA_BENCH_PRELOAD=none                                 bundleWorkflowCode's preloadModules, comma-separated (default tfa's)
//   TFA_BENCH_SEMI_SPACE_MB=8                              the workflow thread's semi-space cap (worker/workflow-thread-heap.ts; 0: V8's default)
//   TFA_BENCH_V8_FLAGS='--gc-memory-reducer-start-delay-ms=1000'  more V8 flags set before the worker starts its workflow thread
//   TFA_BENCH_SETTLE_S=30                                  seconds idle before idle memory, and again with the runs waiting
//   TFA_BENCH_THREAD_SNAPSHOT=1                            snapshot the workflow thread's heap (collects its garbage) and measure again
//   TFA_BENCH_HEAP_SNAPSHOT=/tmp/paused.heapsnapshot       written with all runs waiting
// Prints one JSON line: memory idle, with the runs waiting and after they finished (RSS, the main
// thread's V8 heap, the process's anonymous and file-backed resident memory), per run, and how long
// starting, resuming one and approving the rest took. Prints figures; asserts nothing.
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
import {
  DEFAULT_MAX_CACHED_WORKFLOWS,
  PAYLOAD_CONVERTER_PATH,
  WORKFLOW_PRELOAD_MODULES,
} from '../worker/create-worker';
import { capWorkflowThreadHeap, WORKFLOW_SEMI_SPACE_MB } from '../worker/workflow-thread-heap';
import { approveSignal } from '../workflows/messages';
import { TFA_SEARCH_ATTRIBUTE_KEYS } from '../workflows/search-attributes';
import { NO_OP_EXECUTORS } from './tfa-figures';

const RUNS = Number(process.env.TFA_BENCH_RUNS ?? 200);
const IN_FLIGHT = Number(process.env.TFA_BENCH_IN_FLIGHT ?? RUNS);
const APPROVALS_AT_ONCE = Number(process.env.TFA_BENCH_APPROVALS_AT_ONCE ?? RUNS);
const CACHE = Number(process.env.TFA_MAX_CACHED_WORKFLOWS ?? DEFAULT_MAX_CACHED_WORKFLOWS);
const WORKER_OPTIONS: Partial<WorkerOptions> = {
  maxCachedWorkflows: CACHE,
  maxConcurrentWorkflowTaskExecutions: Math.min(40, CACHE),
  ...(JSON.parse(process.env.TFA_BENCH_WORKER_OPTIONS ?? '{}') as Partial<WorkerOptions>),
};
const SETTLE_S = Number(process.env.TFA_BENCH_SETTLE_S ?? 30);
const SEMI_SPACE_MB = Number(process.env.TFA_BENCH_SEMI_SPACE_MB ?? WORKFLOW_SEMI_SPACE_MB);
const PRELOAD_LIST = process.env.TFA_BENCH_PRELOAD ?? WORKFLOW_PRELOAD_MODULES.join(',');
const PRELOAD = PRELOAD_LIST === 'none' ? [] : PRELOAD_LIST.split(',');

const mb = (bytes: number) => Math.round(bytes / 1e6);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const call = (name: string, args: Record<string, unknown>) => ({ toolCall: { name, arguments: args } });

/** A line of /proc/self/status in MB (Linux; 0 elsewhere). */
async function statusMb(field: string): Promise<number> {
  const status = await fs.readFile('/proc/self/status', 'utf8').catch(() => '');
  const kb = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1];
  return kb ? Math.round(Number(kb) / 1e3) : 0;
}

/**
 * Resident anonymous memory by who mapped it, in MB (Linux): glibc's main heap (brk), glibc's per-thread
 * arenas (64 MiB-aligned regions, where native code such as the Rust core allocates) and the rest
 * (V8's heap pages, stacks, large mmap allocations).
 */
async function anonymousByMapper(): Promise<{ brk: number; arenas: number; other: number }> {
  const smaps = await fs.readFile('/proc/self/smaps', 'utf8').catch(() => '');
  const sums = { brk: 0, arenas: 0, other: 0 };
  let kind: keyof typeof sums | undefined;
  for (const line of smaps.split('\n')) {
    const mapping = /^([0-9a-f]+)-[0-9a-f]+ \S+ \S+ \S+ (\d+)\s*(.*)$/.exec(line);
    if (mapping) {
      const [, start, inode, name] = mapping;
      const arenaAligned = BigInt(`0x${start}`) % BigInt(64 * 1024 * 1024) === 0n;
      kind = name === '[heap]' ? 'brk' : inode !== '0' || name ? undefined : arenaAligned ? 'arenas' : 'other';
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss && kind) sums[kind] += Number(rss[1]);
  }
  return {
    brk: Math.round(sums.brk / 1e3),
    arenas: Math.round(sums.arenas / 1e3),
    other: Math.round(sums.other / 1e3),
  };
}

/** Memory after a pause and a collection of the main thread (node --expose-gc), in MB. */
async function memory() {
  await sleep(3_000);
  (globalThis as { gc?: () => void }).gc?.();
  const heap = v8.getHeapStatistics();
  return {
    rss: mb(process.memoryUsage().rss),
    anon: await statusMb('RssAnon'),
    file: await statusMb('RssFile'),
    heapUsed: mb(heap.used_heap_size),
    heapTotal: mb(heap.total_heap_size),
    heapSpaces: Object.fromEntries(
      v8.getHeapSpaceStatistics().map((space) => [space.space_name.replace('_space', ''), mb(space.space_size)]),
    ),
    external: mb(process.memoryUsage().external),
    ...(await anonymousByMapper()),
  };
}

/**
 * The size of a heap snapshot of the worker's workflow thread (SDK internals: none in debugMode). Taking it
 * collects that thread's garbage, which an idle thread otherwise keeps until it allocates again.
 */
async function workflowThreadHeapSnapshotMb(worker: Worker): Promise<number | null> {
  const internals = worker as unknown as {
    workflowCreator?: { workerThreadClients?: { workerThread: import('node:worker_threads').Worker }[] };
  };
  const thread = internals.workflowCreator?.workerThreadClients?.[0]?.workerThread;
  if (!thread) return null;
  let bytes = 0;
  for await (const chunk of await thread.getHeapSnapshot()) bytes += (chunk as Buffer).length;
  return mb(bytes);
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
  let waitingCount = 0;
  const activities = createActivities({
    openai: new OpenAI({ baseURL: model.baseURL, apiKey: 'scripted', maxRetries: 0 }),
    executors: NO_OP_EXECUTORS,
    // The approval notice is sent once a run waits: it counts the runs that reached the wait.
    channel: createConsoleChannel(() => void waitingCount++),
    releases: createReleaseStore({ repo: dir, root: dir, testCommand: 'true' }),
    resolvers: { deploybot: { deploy_to_production: async () => ({ ref: 'main', sha: 'a'.repeat(40) }) } },
  });
  const connection = await Connection.connect({ address: env.address });
  const client = new Client({ connection });
  const native = await NativeConnection.connect({ address: env.address });
  const taskQueue = `paused-${Date.now()}`;
  if (SEMI_SPACE_MB > 0) capWorkflowThreadHeap(SEMI_SPACE_MB);
  if (process.env.TFA_BENCH_V8_FLAGS) v8.setFlagsFromString(process.env.TFA_BENCH_V8_FLAGS);
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
  await sleep(SETTLE_S * 1000);
  const idle = await memory();
  model.enqueue(...Array.from({ length: RUNS }, () => call('deploy_to_production', { ref: 'main' })));
  const startedAt = performance.now();
  const handles = [];
  for (let run = 0; run < RUNS; run++) {
    while (handles.length - waitingCount >= IN_FLIGHT) await sleep(20);
    handles.push(await start(String(run)));
  }
  while (waitingCount < RUNS) await sleep(100);
  const startAllS = (performance.now() - startedAt) / 1000;
  const paused = await memory();
  // V8's memory reducer and glibc give memory back only after a while without work: runs wait for hours.
  await sleep(SETTLE_S * 1000);
  const pausedSettled = await memory();
  // Diagnosis: the snapshot collects the workflow thread's garbage, but its own buffers inflate RSS after it.
  const workflowThreadSnapshotMb = process.env.TFA_BENCH_THREAD_SNAPSHOT
    ? await workflowThreadHeapSnapshotMb(worker)
    : null;
  const afterWorkflowThreadGc = workflowThreadSnapshotMb === null ? null : await memory();
  if (process.env.TFA_BENCH_HEAP_SNAPSHOT) v8.writeHeapSnapshot(process.env.TFA_BENCH_HEAP_SNAPSHOT);
  model.enqueue(...Array.from({ length: RUNS }, () => call('done_for_now', { message: 'deployed' })));
  const resumedAt = performance.now();
  await handles[0]!.signal(approveSignal, { by: 'bench' });
  await handles[0]!.result();
  const resumeOneMs = performance.now() - resumedAt;
  const approvedAt = performance.now();
  const others = handles.slice(1);
  let next = 0;
  const approveNext = async () => {
    for (let handle = others[next++]; handle; handle = others[next++]) {
      await handle.signal(approveSignal, { by: 'bench' });
      await handle.result();
    }
  };
  await Promise.all(Array.from({ length: APPROVALS_AT_ONCE }, approveNext));
  const approveOthersS = Math.round((performance.now() - approvedAt) / 100) / 10;
  const finished = await memory();
  console.log(
    JSON.stringify({
      runs: RUNS,
      inFlight: IN_FLIGHT,
      approvalsAtOnce: APPROVALS_AT_ONCE,
      workerOptions: WORKER_OPTIONS,
      semiSpaceMb: SEMI_SPACE_MB || null,
      mallocArenaMax: process.env.MALLOC_ARENA_MAX ?? null,
      v8Flags: process.env.TFA_BENCH_V8_FLAGS ?? null,
      preloadModules: PRELOAD,
      mb: { idle, paused, pausedSettled, afterWorkflowThreadGc, finished },
      workflowThreadSnapshotMb,
      settleS: SETTLE_S,
      rssKbPerRun: Math.round(((paused.rss - idle.rss) * 1e3) / RUNS),
      heapKbPerRun: Math.round(((paused.heapUsed - idle.heapUsed) * 1e3) / RUNS),
      startAllS: Math.round(startAllS * 10) / 10,
      resumeOneMs: Math.round(resumeOneMs),
      approveOthersS,
      loadAverage: os.loadavg().map((load) => Math.round(load * 10) / 10),
    }),
  );
  worker.shutdown();
  await running;
  await Promise.all([native.close(), connection.close(), model.close()]);
  await env.teardown();
  await fs.rm(dir, { recursive: true, force: true });
}

void main();
