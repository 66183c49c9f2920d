import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ReleaseStoreError } from '../../../activities/deploybot/release-store-error';
import { commandForSuite, readTestSuites, TEST_SUITES_FILE } from '../../../activities/deploybot/test-suites';

let dir: string;
beforeEach(async () => (dir = await mkdtemp(path.join(os.tmpdir(), 'suites-'))));
afterEach(() => rm(dir, { recursive: true, force: true }));

test('a release without tfa-tests.json has one default suite: the configured test command', async () => {
  expect(await readTestSuites(dir, 'sh check.sh')).toEqual({ default: 'sh check.sh' });
});

test('a release names its suites in tfa-tests.json', async () => {
  await writeFile(
    path.join(dir, TEST_SUITES_FILE),
    JSON.stringify({ suites: { unit: 'npm test', smoke: 'sh smoke.sh' } }),
  );
  const suites = await readTestSuites(dir, 'ignored');
  expect(suites).toEqual({ unit: 'npm test', smoke: 'sh smoke.sh' });
  expect(commandForSuite(suites, 'smoke')).toBe('sh smoke.sh');
});

test('an unknown suite is refused with the list of suites', () => {
  expect(() => commandForSuite({ unit: 'x', smoke: 'y' }, 'e2e')).toThrow(
    new ReleaseStoreError('There is no test suite "e2e"; the suites are: unit, smoke.'),
  );
});

test('an invalid tfa-tests.json is a clear error', async () => {
  await writeFile(path.join(dir, TEST_SUITES_FILE), JSON.stringify({ suites: { 'bad name!': 'x' } }));
  await expect(readTestSuites(dir, 'x')).rejects.toThrow(ReleaseStoreError);
});

test('a tfa-tests.json that is a symlink is refused, even when it points at a valid file', async () => {
  await writeFile(path.join(dir, 'elsewhere.json'), JSON.stringify({ suites: { unit: 'npm test' } }));
  await symlink(path.join(dir, 'elsewhere.json'), path.join(dir, TEST_SUITES_FILE));
  await expect(readTestSuites(dir, 'x')).rejects.toThrow(
    /is a symlink; suite files must be regular files inside the release/,
  );
});
