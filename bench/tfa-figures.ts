// tfa's side of `npm run bench`: scripted tool loops on a real dev server, figures taken from the
// runs' own histories (server timestamps). Tools are no-ops (fixed output), so wall minus the
// model's HTTP time is the engine's share: Temporal's hand-offs plus tfa's workflow and activity code.
import type { WorkflowHandle, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import readline from 'node:readline';
import { temporal } from '@temporalio/proto';
import OpenAI from 'openai';
import { createChooseNextTool, toolsFor } from '../activities/choose-next-tool';
import type { ToolExecutors } from '../activities/execute-tool';
import { findAgent } from '../agents';
import { AGENT_WORKFLOW_TYPE, DEFAULT_MODEL } from '../core/constants';
import { agentInstructions } from '../core/model-input-render';
import { renderModelInput } from '../core/model-input';
import type { ThreadEvent } from '../core/thread';
import { testServerAddress, workflowBundlePath } from '../test/support/test-server';
import { startHarness, waitForState, type Harness } from '../test/support/workflow-harness';
import { DEFAULT_MAX_CACHED_WORKFLOWS } from '../worker/create-worker';
import type { PeerWorkload } from './peers/run-peers';
import { approveSignal, statusQuery, threadQuery } from '../workflows/messages';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/**
 * What list_releases answers in the bench: a fixed, realistic size, so long runs reach the context
 * budget. An object, as the real executor returns (executeTool JSON-encodes it once).
 */
const RELEASES = Array.from({ length: 4 }, (_unused, index) => ({
  sha: `${index}`.repeat(40),
  current: index === 0,
  deployedAt: '2026-01-01T00:00:00.000Z',
}));
export const NO_OP_EXECUTORS: ToolExecutors = {
  deploybot: {
    list_releases: async () => RELEASES,
    deploy_to_staging: async () => 'deployed (bench no-op)',
    deploy_to_production: async () => 'deployed (bench no-op)',
  },
};

export const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.ceil(values.length * p) - 1)]!;
const millis = (event: HistoryEvent) => Number(event.eventTime!.seconds) * 1000 + (event.eventTime!.nanos ?? 0) / 1e6;
const call = (name: string, args: Record<string, unknown>) => ({ toolCall: { name, arguments: args } });
const argsOf: Record<string, Record<string, unknown>> = {
  list_releases: { environment: 'staging' },
  deploy_to_staging: { ref: 'main' },
};

/** What the peers' requests carry: tfa's own in the read-only loop (its instructions, tools, call and tool output). */
export function peerWorkload(): PeerWorkload {
  const agent = findAgent('deploybot')!;
  return {
    model: agent.model ?? DEFAULT_MODEL,
    instructions: agentInstructions(agent),
    tools: JSON.parse(JSON.stringify(toolsFor(agent))) as unknown[],
    call: { name: 'list_releases', arguments: argsOf.list_releases! },
    toolOutput: JSON.stringify(RELEASES),
  };
}

export async function benchHarness(taskQueue?: string): Promise<Harness> {
  return startHarness({ executors: NO_OP_EXECUTORS, taskQueue });
}

async function startAgent(
  harness: Harness,
  name: string,
  message: string,
  extra: Record<string, unknown> = {},
  taskQueue = harness.taskQueue,
): Promise<WorkflowHandleWithFirstExecutionRunId> {
  return harness.client.workflow.start(AGENT_WORKFLOW_TYPE, {
    taskQueue,
    workflowId: `bench-${name}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`,
    args: [{ agent: 'deploybot', message, ...extra }],
  });
}

/** Wall ms per step of a `steps`-step run whose step i calls tools[i % tools.length]: first model call scheduled to run completed. */
export async function toolLoop(harness: Harness, tools: string[], steps: number): Promise<number> {
  harness.model.enqueue(
    ...Array.from({ length: steps - 1 }, (_unused, step) =>
      call(tools[step % tools.length]!, argsOf[tools[step % tools.length]!]!),
    ),
    call('done_for_now', { message: 'done' }),
  );
  const handle = await startAgent(harness, 'loop', `call ${tools.join(' and ')} ${steps - 1} times`, {
    maxSteps: steps + 5,
  });
  await handle.result();
  const events = (await handle.fetchHistory()).events ?? [];
  const first = events.find(
    (event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'chooseNextTool',
  )!;
  return (millis(events.at(-1)!) - millis(first)) / steps;
}

/** The model's HTTP time as the activity sees it: chooseNextTool called directly (no Temporal), median of `calls`. */
export async function modelHttpMs(harness: Harness, calls = 20): Promise<number> {
  const chooseNextTool = createChooseNextTool({
    openai: new OpenAI({ baseURL: harness.model.baseURL, apiKey: 'scripted', maxRetries: 0 }),
  });
  const events = [
    { id: 's', at: '2026-01-01T00:00:00.000Z', type: 'run_started', agent: 'deploybot', maxSteps: 30 },
    { id: 'u', at: '2026-01-01T00:00:00.000Z', type: 'user_message', text: 'list staging' },
  ] as ThreadEvent[];
  const input = { agent: 'deploybot', ...renderModelInput(findAgent('deploybot')!, events) };
  const times: number[] = [];
  for (let index = 0; index < calls; index++) {
    harness.model.enqueue(call('list_releases', argsOf.list_releases!));
    const started = performance.now();
    await chooseNextTool(input);
    times.push(performance.now() - started);
  }
  return median(times);
}

/** The slowest of `count` status/thread queries sent while the run's model call is held open. */
export async function queryLatencyDuringModelCall(
  harness: Harness,
  count = 20,
): Promise<{ maxMs: number; medianMs: number }> {
  let release!: () => void;
  harness.model.enqueue({
    waitFor: new Promise<void>((resolve) => (release = resolve)),
    then: call('done_for_now', { message: 'done' }),
  });
  const handle = await startAgent(harness, 'queries', 'wait for the model');
  const before = harness.model.requests.length;
  while (harness.model.requests.length === before) await new Promise((resolve) => setTimeout(resolve, 20));
  const times: number[] = [];
  for (let index = 0; index < count; index++) {
    const started = performance.now();
    await (index % 2 ? handle.query(threadQuery) : handle.query(statusQuery));
    times.push(performance.now() - started);
  }
  release();
  await handle.result();
  return { maxMs: Math.max(...times), medianMs: median(times) };
}

/** Approval signal recorded -> the approved tool's activity started, from each run's history. */
export async function signalLatency(harness: Harness, runs: number): Promise<{ medianMs: number; p95Ms: number }> {
  const samples: number[] = [];
  for (let run = 0; run < runs; run++) {
    harness.model.enqueue(call('deploy_to_production', { ref: 'main' }), call('done_for_now', { message: 'ok' }));
    const handle = await startAgent(harness, 'signal', 'deploy main');
    await waitForState(handle, (state) => state.status === 'awaiting_approval');
    await handle.signal(approveSignal, { by: 'bench' });
    await handle.result();
    samples.push(await signalToToolStartedMs(handle));
  }
  return { medianMs: median(samples), p95Ms: percentile(samples, 0.95) };
}

/** Where a step's history bytes go: the event kinds that carry them. */
function byteKind(event: HistoryEvent): string {
  if (event.activityTaskScheduledEventAttributes) return 'activityScheduledEnvelope';
  if (event.activityTaskStartedEventAttributes) return 'activityStarted';
  if (event.activityTaskCompletedEventAttributes) return 'activityCompleted';
  if (event.markerRecordedEventAttributes) return 'markers';
  if (event.upsertWorkflowSearchAttributesEventAttributes) return 'searchAttributes';
  if (
    event.workflowTaskScheduledEventAttributes ||
    event.workflowTaskStartedEventAttributes ||
    event.workflowTaskCompletedEventAttributes
  )
    return 'workflowTasks';
  return 'other';
}

interface StepBytes {
  bytes: number;
  /** The model input's text (instructions + context), as the budget counts it. */
  inputBytes: number;
  /** The same, as stored: the activity input payload (JSON-escaped, with the agent name and the read-only operation id). */
  inputPayloadBytes: number;
  /** The rest of the step's bytes by event kind (the input payload left out of activityScheduledEnvelope). */
  kinds: Record<string, number>;
}

/**
 * History bytes each step adds, and each step's model input (instructions + context) in them. A
 * decision chained after a read-only step is recorded in the model activity's result: it counts as a
 * step of its own, its bytes being its JSON there (with the context it was sent), taken off the step
 * that holds the result; the instructions it was sent are the activity's, stored once.
 */
function stepBytes(events: HistoryEvent[]): StepBytes[] {
  const steps: StepBytes[] = [];
  const decisions = new Set<string>();
  let instructions = '';
  for (const event of events) {
    const size = temporal.api.history.v1.HistoryEvent.encode(event).finish().length;
    const scheduled = event.activityTaskScheduledEventAttributes;
    let payloadBytes = 0;
    if (scheduled?.activityType?.name === 'chooseNextTool') {
      decisions.add(String(event.eventId));
      const data = scheduled.input!.payloads![0]!.data!;
      const input = JSON.parse(Buffer.from(data).toString()) as { instructions?: string; context?: string };
      instructions = input.instructions ?? '';
      payloadBytes = data.length;
      steps.push({
        bytes: 0,
        inputBytes: Buffer.byteLength(instructions + (input.context ?? '')),
        inputPayloadBytes: payloadBytes,
        kinds: {},
      });
    }
    // The continue-as-new event carries the bounded thread to the next run: counted per run, not per step.
    if (steps.length === 0 || event.workflowExecutionContinuedAsNewEventAttributes) continue;
    const step = steps.at(-1)!;
    step.bytes += size;
    const kind = byteKind(event);
    step.kinds[kind] = (step.kinds[kind] ?? 0) + size - payloadBytes;
    const completed = event.activityTaskCompletedEventAttributes;
    if (completed && decisions.has(String(completed.scheduledEventId))) {
      const result = JSON.parse(Buffer.from(completed.result!.payloads![0]!.data!).toString()) as {
        chained?: Array<{ context: string }>;
      };
      for (const decision of result.chained ?? []) {
        const bytes = Buffer.byteLength(JSON.stringify(decision));
        step.bytes -= bytes;
        step.kinds[kind]! -= bytes;
        const inputBytes = Buffer.byteLength(instructions + decision.context);
        steps.push({ bytes, inputBytes, inputPayloadBytes: inputBytes, kinds: { chainedDecision: bytes } });
      }
    }
  }
  return steps;
}

/** A `steps`-step run continuing as new every 100 steps: bytes per step (the carried thread aside) and the largest run's history. */
export async function historyOverSteps(harness: Harness, steps: number) {
  harness.model.enqueue(
    ...Array.from({ length: steps - 1 }, () => call('list_releases', argsOf.list_releases!)),
    call('done_for_now', { message: 'done' }),
  );
  const handle = await startAgent(harness, 'history', `list staging ${steps - 1} times`, { maxSteps: steps + 5 });
  await handle.result();
  const perStep: StepBytes[] = [];
  let largestRunBytes = 0;
  let runId: string | undefined = handle.firstExecutionRunId;
  while (runId) {
    const history: temporal.api.history.v1.IHistory = await harness.client.workflow
      .getHandle(handle.workflowId, runId)
      .fetchHistory();
    const events: HistoryEvent[] = history.events ?? [];
    largestRunBytes = Math.max(largestRunBytes, temporal.api.history.v1.History.encode(history).finish().length);
    perStep.push(...stepBytes(events));
    runId = events.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
  }
  const overhead = perStep.map((step) => step.bytes - step.inputBytes);
  const worst = perStep[overhead.indexOf(Math.max(...overhead))]!;
  return {
    steps: perStep.length,
    bytesPerStepFirst10: median(perStep.slice(0, 10).map((step) => step.bytes)),
    bytesPerStepLast10: median(perStep.slice(-10).map((step) => step.bytes)),
    maxBytesPerStep: Math.max(...perStep.map((step) => step.bytes)),
    maxInputBytes: Math.max(...perStep.map((step) => step.inputBytes)),
    maxOverheadBytes: Math.max(...overhead),
    largestRunBytes,
    // The step with the most overhead: its input's JSON escaping (payload minus text) and its other bytes by event kind.
    maxOverheadStep: { inputEscapingBytes: worst.inputPayloadBytes - worst.inputBytes, ...worst.kinds },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Seconds without work before each RSS figure of pausedRuns, at least: V8's memory reducer gives back
 * free heap ~8 s after work stops, in rounds, and the figure is taken once a round gives back less than
 * RSS_SETTLED_MB (runs wait for a person for minutes to days).
 */
export const PAUSED_SETTLE_S = 30;
const RSS_SETTLED_MB = 2;
const RSS_SAMPLE_S = 5;
const PAUSED_SETTLE_MAX_S = 120;

/** A process's resident memory in MB, from /proc (Linux). */
async function processRssMb(pid: number): Promise<number> {
  const status = await fs.readFile(`/proc/${pid}/status`, 'utf8').catch(() => {
    throw new Error('the paused-run figures read /proc (Linux only); TFA_BENCH_PAUSED_RUNS=0 skips them');
  });
  return Math.round(Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? NaN) / 1e3);
}

/** RSS once the process has been idle PAUSED_SETTLE_S and RSS has stopped falling (at most PAUSED_SETTLE_MAX_S). */
async function settledRssMb(pid: number): Promise<number> {
  await sleep(PAUSED_SETTLE_S * 1000);
  let rss = await processRssMb(pid);
  for (let waited = PAUSED_SETTLE_S; waited < PAUSED_SETTLE_MAX_S; waited += RSS_SAMPLE_S) {
    await sleep(RSS_SAMPLE_S * 1000);
    const next = await processRssMb(pid);
    if (rss - next < RSS_SETTLED_MB) return Math.min(rss, next);
    rss = next;
  }
  return rss;
}

/** tfa's worker alone in a process (bench/paused-worker.ts), on `taskQueue`, counting the runs that wait for approval. */
async function startWorkerProcess(harness: Harness, taskQueue: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'paused-worker.ts')], {
    env: {
      ...process.env,
      MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? '2',
      TEMPORAL_ADDRESS: testServerAddress(),
      TFA_TASK_QUEUE: taskQueue,
      OPENAI_BASE_URL: harness.model.baseURL,
      TFA_WORKFLOW_BUNDLE: workflowBundlePath(),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const counts = { waiting: 0 };
  let exitCode: number | null | undefined;
  const ready = new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => {
      exitCode = code;
      reject(new Error(`bench/paused-worker.ts exited (${code}) before it was ready`));
    });
    readline.createInterface({ input: child.stdout }).on('line', (line) => {
      if (line === 'ready') resolve();
      if (line === 'waiting') counts.waiting++;
    });
  });
  await ready;
  return {
    pid: child.pid!,
    /** Runs that asked for approval so far; throws once the worker has exited, so no wait hangs on it. */
    waiting: () => {
      if (exitCode !== undefined) throw new Error(`bench/paused-worker.ts exited (${exitCode})`);
      return counts.waiting;
    },
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Calls `task` for every item, at most `window` at a time. */
async function inWindows<T>(items: T[], window: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await task(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(window, items.length) }, lane));
}

/** Approval signal recorded -> the approved tool's activity started, from the run's history (after it finished). */
async function signalToToolStartedMs(handle: WorkflowHandle): Promise<number> {
  const events = (await handle.fetchHistory()).events ?? [];
  const signaled = events.find((event) => event.workflowExecutionSignaledEventAttributes?.signalName === 'approve')!;
  const scheduled = events
    .filter((event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'executeTool')
    .at(-1)!;
  const started = events.find(
    (event) => event.activityTaskStartedEventAttributes?.scheduledEventId?.toString() === scheduled.eventId?.toString(),
  );
  return millis(started ?? scheduled) - millis(signaled);
}

/** The paused-runs worker's workflow cache: TFA_MAX_CACHED_WORKFLOWS, or tfa's default. */
export function cachedRunsOption(): number {
  return Number(process.env.TFA_MAX_CACHED_WORKFLOWS ?? DEFAULT_MAX_CACHED_WORKFLOWS);
}

/** Runs of pausedRuns finished before its idle figure. */
const IDLE_WARM_UP_RUNS = 3;

/** Runs of pausedRuns approved one at a time after the cache evicted them, each timed. */
const EVICTED_RESUMES = 5;

/**
 * `runs` runs waiting for approval on tfa's worker in a process of its own (bench/paused-worker.ts, with
 * tfa's workflow cache (cachedRunsOption), heap cap and MALLOC_ARENA_MAX=2): its RSS idle (after IDLE_WARM_UP_RUNS
 * finished runs) and with all of them waiting, each once RSS settles without work, and with all of
 * them waiting at once (the moment the last one asks). Runs start as they would arrive, at most half a
 * cache of them on their way to the wait at once (the count of approval notices says how many wait).
 * The first runs started are the least recently active, so the cache has evicted them: EVICTED_RESUMES
 * of them are approved one at a time (signal to the tool started, median: the workflow task replays
 * the run's history), then all the others, half a cache of approvals outstanding at a time, waited for
 * until they finish.
 */
export async function pausedRuns(runs: number) {
  const harness = await benchHarness();
  const taskQueue = `${harness.taskQueue}-worker-process`;
  const worker = await startWorkerProcess(harness, taskQueue);
  try {
    const window = Math.max(1, Math.floor(cachedRunsOption() / 2));
    const start = () => startAgent(harness, 'paused', 'deploy main', {}, taskQueue);
    // Idle is a worker that has run work (compiled code, the SDK's lazy state) and holds no run.
    for (let run = 0; run < IDLE_WARM_UP_RUNS; run++) {
      harness.model.enqueue(call('list_releases', argsOf.list_releases!), call('done_for_now', { message: 'ok' }));
      await (await start()).result();
    }
    const idleWorkerRssMb = await settledRssMb(worker.pid);
    harness.model.enqueue(...Array.from({ length: runs }, () => call('deploy_to_production', { ref: 'main' })));
    const handles: WorkflowHandle[] = [];
    for (let run = 0; run < runs; run++) {
      while (handles.length - worker.waiting() >= window) await sleep(20);
      handles.push(await start());
    }
    while (worker.waiting() < runs) await sleep(100);
    const workerRssMbAtLastWait = await processRssMb(worker.pid);
    const workerRssMb = await settledRssMb(worker.pid);
    harness.model.enqueue(...Array.from({ length: runs }, () => call('done_for_now', { message: 'deployed' })));
    const alone = handles.slice(0, Math.min(EVICTED_RESUMES, runs - 1));
    const resumes: number[] = [];
    for (const handle of alone) {
      await handle.signal(approveSignal, { by: 'bench' });
      await handle.result();
      resumes.push(await signalToToolStartedMs(handle));
    }
    const started = performance.now();
    await inWindows(handles.slice(alone.length), window, async (handle) => {
      await handle.signal(approveSignal, { by: 'bench' });
      await handle.result();
    });
    const approveAllS = Math.round((performance.now() - started) / 100) / 10;
    // The same worker after the same work, holding no run.
    const idleAgainRssMb = await settledRssMb(worker.pid);
    return {
      runs,
      cachedRuns: cachedRunsOption(),
      idleWorkerRssMb,
      idleAfterRuns: IDLE_WARM_UP_RUNS,
      workerRssMb,
      workerRssMbAtLastWait,
      settleS: PAUSED_SETTLE_S,
      resumeEvictedMs: median(resumes),
      approveAllS,
      approvalsAtOnce: window,
      idleAgainRssMb,
    };
  } finally {
    await worker.stop();
    await harness.close();
  }
}
