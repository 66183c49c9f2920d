import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { commandEnvironment } from '../../../activities/deploybot/command-environment';
import { createReleaseStore, ReleaseStoreError, type ReleaseStore } from '../../../activities/deploybot/release-store';
import { commitRecordsDir } from '../../../activities/deploybot/release-tests';
import { createDeployFixture, FIXTURE_TEST_COMMAND, type DeployFixture } from '../../support/deploy-fixture';

let fixture: DeployFixture;
let store: ReleaseStore;
beforeEach(async () => {
  fixture = await createDeployFixture();
  store = createReleaseStore({ repo: fixture.repo, root: fixture.root, testCommand: FIXTURE_TEST_COMMAND });
});
afterEach(() => fixture.cleanup());

test('testRelease runs the release of the given SHA, not what staging runs now, and records the run under that SHA', async () => {
  const [broken, main] = [await fixture.sha('broken'), await fixture.sha('main')];
  await store.deploy({ environment: 'staging', ref: 'main', operationId: 'staging-main' });
  const run = await store.testRelease({ sha: broken, suite: 'default' });
  expect(run).toMatchObject({ sha: broken, suite: 'default', passed: false });
  expect(await store.currentSha({ environment: 'staging' })).toBe(main);
  const record = JSON.parse(
    await readFile(path.join(commitRecordsDir(fixture.root, broken), 'test-runs', 'default.json'), 'utf8'),
  );
  expect(record).toMatchObject({ sha: broken, passed: false });
  expect(await store.testRunsOf({ sha: broken })).toEqual([
    expect.objectContaining({ sha: broken, suite: 'default', passed: false }),
  ]);
  expect(await store.testRunsOf({ sha: main })).toEqual([]);
});

test('run_tests on an environment is recorded by the SHA it ran on as well', async () => {
  await store.deploy({ environment: 'staging', ref: 'main', operationId: 'staging-main' });
  await store.runTests({ environment: 'staging' });
  expect(await store.testRunsOf({ sha: await fixture.sha('main') })).toEqual([
    expect.objectContaining({ passed: true }),
  ]);
});

test('a SHA that is not a full commit SHA is refused before anything runs', async () => {
  await expect(store.testRelease({ sha: 'main', suite: 'default' })).rejects.toThrow(ReleaseStoreError);
  await expect(store.testRelease({ sha: '../../etc', suite: 'default' })).rejects.toThrow(/not a full commit SHA/);
  await expect(store.testRunsOf({ sha: 'f'.repeat(39) })).rejects.toThrow(/not a full commit SHA/);
});

test('a pinned deploy deploys exactly its SHA after the ref moved, and records the ref it came from', async () => {
  const pinned = await fixture.commitOn('p-moving', { 'version.txt': 'v1\n' });
  await fixture.commitOn('p-moving', { 'version.txt': 'v2\n' });
  const result = await store.deploy({ environment: 'production', ref: 'p-moving', sha: pinned, operationId: 'op' });
  expect(result).toMatchObject({ ref: 'p-moving', sha: pinned, changed: true });
  expect(await store.currentSha({ environment: 'production' })).toBe(pinned);
});

test('planRollback names the SHA it leaves and the one it returns to, without switching', async () => {
  await store.deploy({ environment: 'production', ref: 'main', operationId: 'one' });
  await store.deploy({ environment: 'production', ref: 'broken', operationId: 'two' });
  const plan = await store.planRollback({ environment: 'production' });
  expect(plan).toEqual({
    environment: 'production',
    fromSha: await fixture.sha('broken'),
    toSha: await fixture.sha('main'),
  });
  expect(await store.currentSha({ environment: 'production' })).toBe(plan.fromSha);
});

test('release commands get PATH, HOME, LANG and the passthrough names, nothing else', () => {
  const worker = {
    PATH: '/bin',
    HOME: '/home/w',
    LANG: 'C.UTF-8',
    OPENAI_API_KEY: 'sk-secret',
    CI: 'true',
    NODE_OPTIONS: '--x',
  };
  expect(commandEnvironment(worker)).toEqual({ PATH: '/bin', HOME: '/home/w', LANG: 'C.UTF-8' });
  expect(commandEnvironment(worker, ['CI', 'MISSING'])).toEqual({
    PATH: '/bin',
    HOME: '/home/w',
    LANG: 'C.UTF-8',
    CI: 'true',
  });
});
