import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

/** Longer than the 5 seconds over which V8 judges the allocation rate, as IDLE_CHECK_MS is. */
const CHECK_MS = 6000;

interface HeapTrim {
  youngMbBefore: number;
  youngMbAfter: number;
  heapMbBefore: number;
  heapMbAfter: number;
}

interface TrimReport {
  trimsWhileWorking: number;
  youngMbGrown: number;
  trimsAfterWork: HeapTrim[];
  trimsInTheNextQuietCheck: number;
  gcInAThreadStartedAfter: string;
  gcInAContextOfThatThread: string;
}

/**
 * In a fresh process (V8 flags and heap sizes are per process, and jest's own heap is busy). Work runs
 * in 20 ms slices so the checks run between them, as they do between a busy worker's tasks.
 */
async function trimInFreshProcess(): Promise<TrimReport> {
  const probe = `
    const v8 = require('node:v8');
    const { Worker } = require('node:worker_threads');
    const { trimHeapWhenIdle, YOUNG_MB_WORTH_A_COLLECTION } = require('./worker/idle-heap-trim');
    const youngMb = () => v8.getHeapSpaceStatistics().find((space) => space.space_name === 'new_space').space_size / 1e6;
    const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
    // Objects that survive a scavenge or two, as a busy worker's do: V8 grows the young generation for them.
    async function work(done) {
      let kept = [];
      for (let round = 0; !done(); ) {
        const sliceEnd = performance.now() + 20;
        while (performance.now() < sliceEnd) {
          kept.push({ round: round++, text: 'x'.repeat(64) });
          if (kept.length > 2e5) kept = kept.slice(1e5);
        }
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    (async () => {
      // The trimmer's timer does not hold a process open; a worker's polling does.
      const polling = setInterval(() => {}, 1000);
      const trims = [];
      let reported;
      const trimReported = () => new Promise((resolve) => (reported = resolve));
      const trimmer = trimHeapWhenIdle({ checkEveryMs: ${CHECK_MS}, onTrim: (trim) => { trims.push(trim); reported?.(); } });
      const gcInAThreadStartedAfter = await new Promise((resolve) => {
        const thread = new Worker(
          "require('node:worker_threads').parentPort.postMessage([typeof gc, require('node:vm').runInNewContext('typeof gc')])",
          { eval: true });
        thread.once('message', (seen) => thread.terminate().then(() => resolve(seen)));
      });
      // A trimmer checking every 500 ms through 4 checks of work never collects.
      const busyTrims = [];
      const busyTrimmer = trimHeapWhenIdle({ checkEveryMs: 500, onTrim: (trim) => busyTrims.push(trim) });
      const workEnds = performance.now() + 2000;
      await work(() => performance.now() > workEnds && youngMb() >= 16);
      busyTrimmer.stop();
      const youngMbGrown = youngMb();
      const trimsBeforeQuiet = trims.length;
      while (youngMb() > YOUNG_MB_WORTH_A_COLLECTION) await trimReported();
      const trimsAfterWork = trims.slice(trimsBeforeQuiet);
      await sleep(${CHECK_MS} * 1.5);
      console.log(JSON.stringify({
        trimsWhileWorking: busyTrims.length,
        youngMbGrown,
        trimsAfterWork,
        trimsInTheNextQuietCheck: trims.length - trimsBeforeQuiet - trimsAfterWork.length,
        gcInAThreadStartedAfter: gcInAThreadStartedAfter[0],
        gcInAContextOfThatThread: gcInAThreadStartedAfter[1],
      }));
      trimmer.stop();
      clearInterval(polling);
    })();`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '-e', probe], {
    cwd: path.join(__dirname, '..', '..'),
    encoding: 'utf8',
    timeout: 100_000,
  });
  return JSON.parse(stdout) as TrimReport;
}

test('a quiet worker gives back the young generation its work grew, collecting only once quiet, and exposes no gc', async () => {
  const report = await trimInFreshProcess();
  expect(report.trimsWhileWorking).toBe(0);
  expect(report.youngMbGrown).toBeGreaterThanOrEqual(16);
  const last = report.trimsAfterWork.at(-1)!;
  expect(last.youngMbAfter).toBeLessThan(report.youngMbGrown / 2);
  expect(report.trimsAfterWork[0]!.heapMbAfter).toBeLessThan(report.trimsAfterWork[0]!.heapMbBefore);
  expect(report.trimsInTheNextQuietCheck).toBe(0);
  expect(report.gcInAThreadStartedAfter).toBe('undefined');
  expect(report.gcInAContextOfThatThread).toBe('undefined');
}, 120_000);
