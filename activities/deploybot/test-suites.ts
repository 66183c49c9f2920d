import { lstat, readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { errorCode } from './release-layout';
import { ReleaseStoreError } from './release-store-error';

/** A release may name its test suites in tfa-tests.json: `{ "suites": { "<name>": "<shell command>" } }`. */
export const TEST_SUITES_FILE = 'tfa-tests.json';
export const DEFAULT_SUITE = 'default';

const TestSuitesFile = z.object({ suites: z.record(z.string().regex(/^[\w.-]+$/), z.string().min(1)) });

/** The release's suites, or one `default` suite running the configured test command. */
export async function readTestSuites(releaseDir: string, defaultCommand: string): Promise<Record<string, string>> {
  const file = path.join(releaseDir, TEST_SUITES_FILE);
  try {
    await assertRegularFile(file, releaseDir);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return { [DEFAULT_SUITE]: defaultCommand };
    throw error;
  }
  const text = await readFile(file, 'utf8');
  const parsed = TestSuitesFile.safeParse(JSON.parse(text));
  if (!parsed.success)
    throw new ReleaseStoreError(
      `${TEST_SUITES_FILE} in release ${path.basename(releaseDir)} is invalid: ${parsed.error.message}`,
    );
  return parsed.data.suites;
}

/** A suite file is the release's own: a symlink (which could point anywhere on the worker) is refused. */
async function assertRegularFile(file: string, releaseDir: string): Promise<void> {
  const stats = await lstat(file);
  if (stats.isFile()) return;
  const what = stats.isSymbolicLink() ? 'a symlink' : 'not a regular file';
  throw new ReleaseStoreError(
    `${TEST_SUITES_FILE} in release ${path.basename(releaseDir)} is ${what}; suite files must be regular files inside the release. Commit the file itself, not a link.`,
  );
}

export function commandForSuite(suites: Record<string, string>, suite: string): string {
  const command = suites[suite];
  if (command === undefined)
    throw new ReleaseStoreError(
      `There is no test suite "${suite}"; the suites are: ${Object.keys(suites).join(', ')}.`,
    );
  return command;
}
