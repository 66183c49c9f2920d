import path from 'node:path';
import { createReleaseStore } from '../../../activities/deploybot/release-store';
import { saveTestRun } from '../../../activities/deploybot/test-output-store';
import { createTriageExecutors, fitToThread } from '../../../activities/triage/executors';
import { ToolExecutionError } from '../../../core/errors';
import { createDeployFixture, FIXTURE_TEST_COMMAND, type DeployFixture } from '../../support/deploy-fixture';

let fixture: DeployFixture;
beforeEach(async () => (fixture = await createDeployFixture()));
afterEach(() => fixture.cleanup());

const executors = () =>
  createTriageExecutors(
    createReleaseStore({ repo: fixture.repo, root: fixture.root, testCommand: FIXTURE_TEST_COMMAND }),
  );
const context = { operationId: 'op' };
const run = {
  schemaVersion: 1 as const,
  suite: 'unit',
  sha: 'abc',
  passed: false,
  exitCode: 1,
  durationMs: 3,
  at: '2030-01-01T00:00:00.000Z',
};

test('read_test_output of a suite that never ran is a tool error naming the suite, the environment and the fix', async () => {
  const reading = executors().read_test_output!({ environment: 'staging', suite: 'unit' }, context);
  await expect(reading).rejects.toThrow(
    new ToolExecutionError(
      'No test run recorded for suite "unit" in staging. Call list_test_runs to see which suites ran there.',
    ),
  );
});

test('read_test_output returns the run facts and its output; list_test_runs names the environment', async () => {
  await saveTestRun(path.join(fixture.root, 'staging'), { ...run, output: 'FAIL unit: expected 2, got 3' });
  const tools = executors();
  expect(await tools.read_test_output!({ environment: 'staging', suite: 'unit' }, context)).toEqual({
    environment: 'staging',
    suite: 'unit',
    sha: 'abc',
    passed: false,
    exitCode: 1,
    durationMs: 3,
    at: run.at,
    output: 'FAIL unit: expected 2, got 3',
  });
  expect(await tools.list_test_runs!({ environment: 'staging' }, context)).toEqual({
    environment: 'staging',
    runs: [{ suite: 'unit', sha: 'abc', passed: false, exitCode: 1, durationMs: 3, at: run.at }],
  });
});

test('a long output is cut from its start, so the failure at its end fits in the thread', () => {
  const output = `${'setting up\n'.repeat(400)}FAIL: status.txt is not ok`;
  const fitted = fitToThread({ ...run, environment: 'staging', output }, 500);
  expect(JSON.stringify(fitted).length).toBeLessThanOrEqual(500);
  expect(fitted).toMatchObject({ sha: 'abc', passed: false });
  expect(fitted.output).toMatch(/^\[\.\.\. \d+ earlier chars cut \.\.\.\]\n/);
  expect(fitted.output.endsWith('FAIL: status.txt is not ok')).toBe(true);
  expect(fitToThread({ ...run, environment: 'staging', output: 'short' }, 500).output).toBe('short');
});
