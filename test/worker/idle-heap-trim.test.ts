import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

/** Longer than V8's 5-second allocation-rate window, as IDLE_CHECK_MS is. */
const CHECK_MS = 6000;

interface TrimReport {
  trimsBeforeWork: number;
  youngMbGrown: number;
  youngMbAfterTrim: number;
  trims: { heapMbBefore: number; heapMbAfter: number }[];
  gcInContextsMadeAfter: string;
}

/**
 * In a fresh process (V8 flags and heap sizes are per process, and jest's own heap is busy): one quiet
 * check without work, then work that grows the young generation, then quiet until the trimmer reports.
 */
async function trimInFreshProcess(): Promise<TrimReport> {
  const probe = `
    const v8 = require('node:v8');
    const vm = require('node:vm');
    const { trimHeapWhenIdle } = require('./worker/idle-heap-trim');
    const youngMb = () => v8.getHeapSpaceStatistics().find((space) => space.space_name === 'new_space').space_size / 1e6;
    const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
    (async () => {
      // The trimmer's timer does not hold a process open; a worker's polling does.
      const polling = setInterval(() => {}, 1000);
      const trims = [];
      let trimmed;
      const trimmedOnce = new Promise((resolve) => (trimmed = resolve));
      const trimmer = trimHeapWhenIdle({ checkEveryMs: ${CHECK_MS}, onTrim: (trim) => { trims.push(trim); trimmed(); } });
      await sleep(${CHECK_MS} * 1.5);
      const trimsBeforeWork = trims.length;
      // Work whose objects survive a scavenge or two, as a busy worker's do, until V8 has grown the young generation.
      let kept = [];
      for (let round = 0; youngMb() < 16 && round < 5e6; round++) {
        kept.push({ round, text: 'x'.repeat(64) });
        if (kept.length > 2e5) kept = kept.slice(1e5);
      }
      const youngMbGrown = youngMb();
      kept = undefined;
      await trimmedOnce;
      console.log(JSON.stringify({ trimsBeforeWork, youngMbGrown, youngMbAfterTrim: youngMb(), trims,
        gcInContextsMadeAfter: vm.runInNewContext('typeof gc') }));
      trimmer.stop();
      clearInterval(polling);
    })();`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '-e', probe], {
    cwd: path.join(__dirname, '..', '..'),
    encoding: 'utf8',
  });
  return JSON.parse(stdout) as TrimReport;
}

test('a worker gone quiet after work gives its grown young generation back, once, and exposes no gc', async () => {
  const report = await trimInFreshProcess();
  expect(report.trimsBeforeWork).toBe(0);
  expect(report.youngMbGrown).toBeGreaterThanOrEqual(16);
  expect(report.youngMbAfterTrim).toBeLessThan(report.youngMbGrown / 2);
  expect(report.trims[0]!.heapMbAfter).toBeLessThan(report.trims[0]!.heapMbBefore);
  expect(report.gcInContextsMadeAfter).toBe('undefined');
}, 60_000);
