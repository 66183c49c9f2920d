import { judgeTestRuns, type RecordedTestRun } from '../../agents/pipeline';

const sha = 'a'.repeat(40);
const run = (suite: string, passed: boolean, at: string, ofSha = sha): RecordedTestRun => ({
  suite,
  sha: ofSha,
  passed,
  exitCode: passed ? 0 : 1,
  durationMs: 1,
  at,
});

test('no recorded run of the SHA is missing evidence, whatever ran on other SHAs', () => {
  expect(judgeTestRuns(sha, [run('unit', true, '2030-01-01', 'b'.repeat(40))])).toEqual({
    sha,
    verdict: 'missing',
    runs: [],
  });
});

test('the latest run of every suite must pass: a later pass replaces an earlier failure', () => {
  const runs = [
    run('unit', false, '2030-01-01T00:00:00Z'),
    run('unit', true, '2030-01-01T00:01:00Z'),
    run('smoke', true, '2030-01-01T00:00:30Z'),
  ];
  expect(judgeTestRuns(sha, runs).verdict).toBe('passed');
  expect(judgeTestRuns(sha, [...runs, run('smoke', false, '2030-01-01T00:02:00Z')]).verdict).toBe('failed');
});
