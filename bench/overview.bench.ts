// `npm run bench`: every runtime figure of issue 12 in one run, side by side, written to
// bench/results/latest.json. tfa on the tuned dev server (what `npm start` and the tests run) and on
// the server's default settings; the same 20-step scripted tool loop in LangGraph.js (SqliteSaver,
// MemorySaver) and in a plain loop (bench/peers/, installed on first use), sending the requests tfa
// sends, its rounds alternating with tfa's read-only rounds; query and signal latency; history bytes
// over 300 steps; render time as a thread grows. Prints figures; asserts nothing.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode, DefaultLogger, Runtime } from '@temporalio/worker';
import { startScriptedModelServer } from '../scripts/scripted-model/server';
import type { Harness } from '../test/support/workflow-harness';
import { PAYLOAD_CONVERTER_PATH, WORKFLOW_PRELOAD_MODULES } from '../worker/create-worker';
import { capWorkflowThreadHeap, WORKFLOW_SEMI_SPACE_MB } from '../worker/workflow-thread-heap';
import { startBenchServer } from './bench-server';
import { ensurePeersInstalled, PEERS, runPeer, type Peer } from './peers/run-peers';
import { renderTimes } from './render.bench';
import { cpuPerStep, type StepCpu } from './step-cpu';
import {
  benchHarness,
  historyOverSteps,
  median,
  modelHttpMs,
  pausedRuns,
  peerWorkload,
  queryLatencyDuringModelCall,
  signalLatency,
  toolLoop,
} from './tfa-figures';

const STEPS = 20;
const ROUNDS = 3;
const SIGNAL_RUNS = Number(process.env.TFA_BENCH_SIGNAL_RUNS ?? 30);
const HISTORY_STEPS = 300;
/** Runs left waiting for approval at once (issue 12, item 5); TFA_BENCH_PAUSED_RUNS=0 skips it. */
const PAUSED_RUNS = Number(process.env.TFA_BENCH_PAUSED_RUNS ?? 1000);
/** The workflow threads' semi-space cap, as tfa's worker sets it (worker/start-worker.ts); TFA_BENCH_SEMI_SPACE_MB=0 leaves V8's default. */
const SEMI_SPACE_MB = Number(process.env.TFA_BENCH_SEMI_SPACE_MB ?? WORKFLOW_SEMI_SPACE_MB);

async function withServer<T>(
  tuned: boolean,
  bundlePath: string,
  measure: (harness: Harness) => Promise<T>,
): Promise<T> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tfa-bench-db-'));
  // A SQLite file, as `npm start` keeps.
  const env = await startBenchServer({ tuned, dbFilename: path.join(dir, 'temporal.db'), bundlePath });
  const harness = await benchHarness();
  try {
    return await measure(harness);
  } finally {
    await harness.close();
    await env.teardown();
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/** Runs one round of a peer; `between` runs the peers' rounds, one each, between tfa's read-only rounds. */
type PeerRound = () => Promise<void>;

async function loops(harness: Harness, between: PeerRound = async () => {}) {
  await toolLoop(harness, ['list_releases'], 5); // warm-up: tokenizer, bundle, connections
  const rounds = async (tools: string[]) => median(await sequential(ROUNDS, () => toolLoop(harness, tools, STEPS)));
  // The peers run the same read-only loop: their rounds alternate with tfa's, so both meet the same machine.
  const readOnly = await sequential(ROUNDS, async () => {
    const wall = await toolLoop(harness, ['list_releases'], STEPS);
    await between();
    return wall;
  });
  return {
    readOnly: median(readOnly),
    acting: await rounds(['deploy_to_staging']),
    mixed: await rounds(['list_releases', 'deploy_to_staging']),
    httpMs: await modelHttpMs(harness),
    cpu: {
      readOnly: await cpuPerStep(STEPS, () => toolLoop(harness, ['list_releases'], STEPS)),
      acting: await cpuPerStep(STEPS, () => toolLoop(harness, ['deploy_to_staging'], STEPS)),
    },
  };
}

async function sequential<T>(count: number, run: () => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  for (let index = 0; index < count; index++) results.push(await run());
  return results;
}

/**
 * The peers' loops against their own scripted model: `round` runs one round of each (a fresh process,
 * its warm-up round left out), `figures` gives each peer's median; a peer that could not run
 * (TFA_BENCH_PEERS=skip, no install, a failed round) is null, said on stderr.
 */
async function startPeers() {
  const samples = new Map<Peer, number[]>();
  const model = await startScriptedModelServer();
  if (process.env.TFA_BENCH_PEERS !== 'skip') {
    try {
      ensurePeersInstalled();
      for (const peer of PEERS) samples.set(peer, []);
    } catch (error) {
      console.error(`[bench] the peers could not be installed: ${String(error)}`);
    }
  }
  const workload = peerWorkload();
  return {
    async round(): Promise<void> {
      for (const [peer, walls] of samples) {
        try {
          walls.push(...(await runPeer(peer, model, STEPS, 1, workload)));
        } catch (error) {
          console.error(`[bench] peer ${peer} did not run: ${String(error)}`);
          samples.delete(peer);
        }
      }
    },
    figures(): Record<Peer, number | null> {
      const figure = (peer: Peer) => (samples.get(peer)?.length ? median(samples.get(peer)!) : null);
      return {
        'langgraph-sqlite': figure('langgraph-sqlite'),
        'langgraph-memory': figure('langgraph-memory'),
        plain: figure('plain'),
      };
    },
    close: () => model.close(),
  };
}

/** What latest.json holds (figures in ms and bytes). */
interface BenchResults {
  tfa: {
    wallMsPerStep: number;
    engineMsPerStep: number;
    wallMsPerStepReadOnly: number;
    engineMsPerStepReadOnly: number;
    wallMsPerStepMixed: number;
    engineMsPerStepMixed: number;
    modelHttpMs: number;
    /** CPU ms per step by process (bench/step-cpu.ts); null off Linux. */
    cpuPerStep: { readOnly: StepCpu | null; acting: StepCpu | null };
    serverDefaults: {
      wallMsPerStep: number;
      wallMsPerStepReadOnly: number;
      engineMsPerStep: number;
      engineMsPerStepReadOnly: number;
    };
  };
  peers: {
    langgraphSqlite: { wallMsPerStep: number | null };
    langgraphMemory: { wallMsPerStep: number | null };
    plain: { wallMsPerStep: number | null };
  };
  queries: { maxMsDuringModelCall: number; medianMsDuringModelCall: number };
  render: { firstTenMs: number; lastTenMs: number; lastToFirstRatio: number };
  signal: { runs: number; medianMs: number; p95Ms: number };
  history: {
    bytesPerStep: number;
    steps: number;
    bytesPerStepFirst10: number;
    bytesPerStepLast10: number;
    maxBytesPerStep: number;
    maxInputBytes: number;
    maxOverheadBytes: number;
    largestRunBytes: number;
    maxOverheadStep: Record<string, number>;
  };
  paused: {
    runs: number | null;
    idleWorkerRssMb: number | null;
    /** Runs the worker finished before its idle figure. */
    idleAfterRuns: number | null;
    workerRssMb: number | null;
    /** RSS the moment the last run asked; idle and workerRssMb are taken once RSS settles, at least settleS without work. */
    workerRssMbAtLastWait: number | null;
    settleS: number | null;
    /** The workflow threads' semi-space cap in MB (worker/workflow-thread-heap.ts); null: V8's default. */
    semiSpaceMb: number | null;
    resumeEvictedMs: number | null;
    approveAllS: number | null;
    /** The worker's workflow cache (tfa's default), and how many approvals were outstanding at once. */
    cachedRuns: number | null;
    approvalsAtOnce: number | null;
    /** Settled RSS once every run has finished: the same worker after the same work, holding no run. */
    idleAgainRssMb: number | null;
  };
}

const fixed = (value: number) => Math.round(value * 10) / 10;
const fixedOrNull = (value: number | null) => (value === null ? null : fixed(value));

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  // Before any harness starts a worker, as startWorker does before createWorker.
  if (SEMI_SPACE_MB > 0) capWorkflowThreadHeap(SEMI_SPACE_MB);
  const bundleDir = await fs.mkdtemp(path.join(os.tmpdir(), 'tfa-bench-'));
  const bundlePath = path.join(bundleDir, 'workflow-bundle.js');
  await fs.writeFile(
    bundlePath,
    (
      await bundleWorkflowCode({
        workflowsPath: require.resolve('../workflows'),
        payloadConverterPath: PAYLOAD_CONVERTER_PATH,
        preloadModules: [...WORKFLOW_PRELOAD_MODULES],
        logger: new DefaultLogger('ERROR'),
      })
    ).code,
  );
  const peerLoops = await startPeers();
  const tuned = await withServer(true, bundlePath, async (harness) => ({
    ...(await loops(harness, peerLoops.round)),
    queries: await queryLatencyDuringModelCall(harness),
    signal: await signalLatency(harness, SIGNAL_RUNS),
    history: await historyOverSteps(harness, HISTORY_STEPS),
    paused: PAUSED_RUNS > 0 ? await pausedRuns(PAUSED_RUNS) : null,
  }));
  const untuned = await withServer(false, bundlePath, loops);
  const peer = peerLoops.figures();
  await peerLoops.close();
  const render = renderTimes(HISTORY_STEPS);
  const renderFirst = median(render.slice(0, 10));
  const renderLast = median(render.slice(-10));
  const engine = (wall: number, http: number) => fixed(Math.max(0, wall - http));
  const results: BenchResults = {
    tfa: {
      wallMsPerStep: fixed(tuned.acting),
      engineMsPerStep: engine(tuned.acting, tuned.httpMs),
      wallMsPerStepReadOnly: fixed(tuned.readOnly),
      engineMsPerStepReadOnly: engine(tuned.readOnly, tuned.httpMs),
      wallMsPerStepMixed: fixed(tuned.mixed),
      engineMsPerStepMixed: engine(tuned.mixed, tuned.httpMs),
      modelHttpMs: fixed(tuned.httpMs),
      cpuPerStep: tuned.cpu,
      serverDefaults: {
        wallMsPerStep: fixed(untuned.acting),
        wallMsPerStepReadOnly: fixed(untuned.readOnly),
        engineMsPerStep: engine(untuned.acting, untuned.httpMs),
        engineMsPerStepReadOnly: engine(untuned.readOnly, untuned.httpMs),
      },
    },
    peers: {
      langgraphSqlite: { wallMsPerStep: fixedOrNull(peer['langgraph-sqlite']) },
      langgraphMemory: { wallMsPerStep: fixedOrNull(peer['langgraph-memory']) },
      plain: { wallMsPerStep: fixedOrNull(peer.plain) },
    },
    queries: {
      maxMsDuringModelCall: fixed(tuned.queries.maxMs),
      medianMsDuringModelCall: fixed(tuned.queries.medianMs),
    },
    render: {
      firstTenMs: Math.round(renderFirst * 100) / 100,
      lastTenMs: Math.round(renderLast * 100) / 100,
      lastToFirstRatio: fixed(renderLast / renderFirst),
    },
    signal: { runs: SIGNAL_RUNS, medianMs: fixed(tuned.signal.medianMs), p95Ms: fixed(tuned.signal.p95Ms) },
    history: { bytesPerStep: tuned.history.bytesPerStepLast10, ...tuned.history },
    paused: tuned.paused
      ? {
          ...tuned.paused,
          resumeEvictedMs: fixed(tuned.paused.resumeEvictedMs),
          semiSpaceMb: SEMI_SPACE_MB || null,
        }
      : {
          runs: null,
          idleWorkerRssMb: null,
          idleAfterRuns: null,
          workerRssMb: null,
          workerRssMbAtLastWait: null,
          settleS: null,
          semiSpaceMb: null,
          resumeEvictedMs: null,
          approveAllS: null,
          cachedRuns: null,
          approvalsAtOnce: null,
          idleAgainRssMb: null,
        },
  };
  printTable(results);
  await fs.mkdir(path.join(__dirname, 'results'), { recursive: true });
  await fs.writeFile(
    path.join(__dirname, 'results', 'latest.json'),
    `${JSON.stringify({ at: new Date().toISOString(), cpus: os.cpus().length, ...results }, null, 2)}\n`,
  );
  await fs.rm(bundleDir, { recursive: true, force: true });
  console.log('written: bench/results/latest.json');
}

function printTable(r: BenchResults): void {
  const sqlite = r.peers.langgraphSqlite.wallMsPerStep;
  const ratio = (value: number | null) =>
    value === null || sqlite === null ? 'n/a' : `${(value / sqlite).toFixed(2)}x`;
  const ms = (value: number | null) => (value === null ? 'not run' : `${value} ms`);
  const rows: Array<[string, string, string]> = [
    [
      'tfa, read-only loop (tuned dev server)',
      `${r.tfa.wallMsPerStepReadOnly} ms`,
      `engine ${r.tfa.engineMsPerStepReadOnly} ms; ${ratio(r.tfa.wallMsPerStepReadOnly)} LangGraph+SQLite`,
    ],
    [
      'tfa, acting loop (tool as an activity)',
      `${r.tfa.wallMsPerStep} ms`,
      `engine ${r.tfa.engineMsPerStep} ms; ${ratio(r.tfa.wallMsPerStep)}`,
    ],
    [
      'tfa, mixed loop',
      `${r.tfa.wallMsPerStepMixed} ms`,
      `engine ${r.tfa.engineMsPerStepMixed} ms; model HTTP ${r.tfa.modelHttpMs} ms`,
    ],
    [
      'tfa, read-only, server defaults',
      `${r.tfa.serverDefaults.wallMsPerStepReadOnly} ms`,
      `engine ${r.tfa.serverDefaults.engineMsPerStepReadOnly} ms`,
    ],
    [
      'tfa, acting, server defaults',
      `${r.tfa.serverDefaults.wallMsPerStep} ms`,
      `engine ${r.tfa.serverDefaults.engineMsPerStep} ms`,
    ],
    ...(['readOnly', 'acting'] as const).map((loop): [string, string, string] => {
      const cpu = r.tfa.cpuPerStep[loop];
      return [
        `  CPU per step, ${loop === 'readOnly' ? 'read-only' : 'acting'} loop`,
        cpu ? `server ${cpu.serverMs} ms` : 'not measured',
        cpu
          ? `worker ${cpu.workerMs} ms (its main thread ${cpu.workerMainThreadMs} ms; the scripted model runs in it too)`
          : '',
      ];
    }),
    ['LangGraph.js + SqliteSaver', ms(sqlite), ratio(sqlite)],
    [
      'LangGraph.js + MemorySaver',
      ms(r.peers.langgraphMemory.wallMsPerStep),
      ratio(r.peers.langgraphMemory.wallMsPerStep),
    ],
    ['plain loop (no framework)', ms(r.peers.plain.wallMsPerStep), ratio(r.peers.plain.wallMsPerStep)],
    [
      'queries during a held model call',
      `max ${r.queries.maxMsDuringModelCall} ms`,
      `median ${r.queries.medianMsDuringModelCall} ms`,
    ],
    [
      `approval signal -> tool started (${r.signal.runs} runs)`,
      `median ${r.signal.medianMs} ms`,
      `p95 ${r.signal.p95Ms} ms`,
    ],
    [
      `history per step (${r.history.steps} steps)`,
      `${r.history.bytesPerStepFirst10} B -> ${r.history.bytesPerStepLast10} B`,
      `max ${r.history.maxBytesPerStep} B = input ${r.history.maxInputBytes} B + at most ${r.history.maxOverheadBytes} B; largest run ${Math.round(r.history.largestRunBytes / 1024)} KB`,
    ],
    [
      '  its worst step, bytes by kind',
      Object.entries(r.history.maxOverheadStep)
        .map(([kind, bytes]) => `${kind} ${bytes}`)
        .join(', '),
      '',
    ],
    [
      `${r.paused.runs ?? 0} runs waiting for approval`,
      r.paused.runs ? `RSS ${r.paused.idleWorkerRssMb} -> ${r.paused.workerRssMb} MB` : 'not run',
      r.paused.runs
        ? `${r.paused.idleAgainRssMb} MB once all finished; each once RSS settled, at least ${r.paused.settleS} s without work; idle after ${r.paused.idleAfterRuns} finished runs (${r.paused.workerRssMbAtLastWait} MB as the last one asked; workflow semi-space ${r.paused.semiSpaceMb ? `${r.paused.semiSpaceMb} MB` : "V8's default"}); ${r.paused.cachedRuns} cached; an evicted run's approval -> tool started ${r.paused.resumeEvictedMs} ms (median of 5 alone); all others approved (${r.paused.approvalsAtOnce} at a time) and finished ${r.paused.approveAllS} s`
        : '',
    ],
    [
      `render per step (${HISTORY_STEPS}-step thread)`,
      `${r.render.firstTenMs} -> ${r.render.lastTenMs} ms`,
      `ratio ${r.render.lastToFirstRatio}`,
    ],
  ];
  console.log(
    `\nper step: wall = model HTTP + tool (no-op) + engine; ${STEPS}-step loops, median of ${ROUNDS} rounds\n`,
  );
  for (const [what, figure, note] of rows) console.log(`${what.padEnd(42)} ${figure.padEnd(22)} ${note}`);
}
void main();
