import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createReleaseStore, ReleaseStoreError, type ReleaseStore } from '../../../activities/deploybot/release-store';
import { readTestRun, saveTestRun, TEST_RUNS_DIR } from '../../../activities/deploybot/test-output-store';
import { createDeployFixture, FIXTURE_TEST_COMMAND, type DeployFixture } from '../../support/deploy-fixture';

let fixture: DeployFixture;
let store: ReleaseStore;
const stagingDir = () => path.join(fixture.root, 'staging');

beforeEach(async () => {
  fixture = await createDeployFixture();
  store = createReleaseStore({ repo: fixture.repo, root: fixture.root, testCommand: FIXTURE_TEST_COMMAND });
});
afterEach(() => fixture.cleanup());

async function deployAndTest(ref: string) {
  await store.deploy({ environment: 'staging', ref, operationId: `deploy-${ref}` });
  return store.runTests({ environment: 'staging' });
}

test('runTests records the run as the suite last run, under <env>/test-runs/<suite>.json', async () => {
  const result = await deployAndTest('broken');
  const file = JSON.parse(await readFile(path.join(stagingDir(), TEST_RUNS_DIR, 'default.json'), 'utf8'));
  expect(file).toEqual({
    schemaVersion: 1,
    suite: 'default',
    sha: await fixture.sha('broken'),
    passed: false,
    exitCode: 1,
    durationMs: result.durationMs,
    output: 'check failed: status.txt is not ok',
    at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
  });
  expect(await readdir(path.join(stagingDir(), TEST_RUNS_DIR))).toEqual(['default.json']);
});

test('a later run of the same suite replaces the record; lastTestRun reads it back', async () => {
  await deployAndTest('broken');
  await deployAndTest('main');
  expect(await store.lastTestRun({ environment: 'staging', suite: 'default' })).toMatchObject({
    sha: await fixture.sha('main'),
    passed: true,
    output: 'all 3 checks passed',
  });
});

test('listTestRuns shows every suite last run, newest first, without output', async () => {
  await saveTestRun(stagingDir(), {
    suite: 'unit',
    sha: 'a',
    passed: true,
    exitCode: 0,
    durationMs: 5,
    output: 'ok',
    at: '2030-01-01T00:00:00.000Z',
  });
  await saveTestRun(stagingDir(), {
    suite: 'smoke',
    sha: 'a',
    passed: false,
    exitCode: 2,
    durationMs: 7,
    output: 'no',
    at: '2030-01-02T00:00:00.000Z',
  });
  expect(await store.listTestRuns({ environment: 'staging' })).toEqual([
    { suite: 'smoke', sha: 'a', passed: false, exitCode: 2, durationMs: 7, at: '2030-01-02T00:00:00.000Z' },
    { suite: 'unit', sha: 'a', passed: true, exitCode: 0, durationMs: 5, at: '2030-01-01T00:00:00.000Z' },
  ]);
});

test('an environment where nothing ran has no runs, and a suite that never ran reads as null', async () => {
  expect(await store.listTestRuns({ environment: 'production' })).toEqual([]);
  expect(await store.lastTestRun({ environment: 'production', suite: 'default' })).toBeNull();
});

test('a suite name that could leave test-runs/ is refused', async () => {
  await expect(store.lastTestRun({ environment: 'staging', suite: '../history' })).rejects.toThrow(
    new ReleaseStoreError(`Suite name "../history" is invalid: use letters, digits, '_', '.' and '-' only.`),
  );
});

test('an unreadable record says which file and how to rewrite it', async () => {
  await mkdir(path.join(stagingDir(), TEST_RUNS_DIR), { recursive: true });
  await writeFile(path.join(stagingDir(), TEST_RUNS_DIR, 'unit.json'), '{"suite":');
  await expect(readTestRun(stagingDir(), 'unit')).rejects.toThrow(
    /unit\.json is not a test run record of schema version 1\. Run the suite again/,
  );
});

test('runs of one suite saved at the same moment each land whole, none fails on a shared temp file', async () => {
  const record = {
    suite: 'default',
    sha: await fixture.sha('main'),
    passed: true,
    exitCode: 0,
    durationMs: 1,
    output: 'ok',
    at: new Date().toISOString(),
  };
  await Promise.all(
    Array.from({ length: 20 }, (_, index) => saveTestRun(stagingDir(), { ...record, output: `run ${index}` })),
  );
  expect((await readTestRun(stagingDir(), 'default'))?.output).toMatch(/^run \d+$/);
  expect((await readdir(path.join(stagingDir(), TEST_RUNS_DIR))).filter((name) => name.endsWith('.partial'))).toEqual(
    [],
  );
});
