import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { errorCode } from './release-layout';
import { ReleaseStoreError } from './release-store-error';

/**
 * The last run of each test suite per environment, one JSON file a suite:
 * <root>/<env>/test-runs/<suite>.json (the environment's view, read by the triage agent) and
 * <root>/commits/<sha>/test-runs/<suite>.json (by commit: the pipeline's evidence). Written by release-tests.ts.
 */
export const TEST_RUNS_DIR = 'test-runs';
export const TEST_RUN_SCHEMA_VERSION = 1;

/** The same names tfa-tests.json allows: no path separators, so a suite never escapes test-runs/. */
const SUITE_NAME = /^[\w.-]+$/;

export const TestRunRecord = z.object({
  schemaVersion: z.literal(TEST_RUN_SCHEMA_VERSION),
  suite: z.string(),
  sha: z.string(),
  passed: z.boolean(),
  exitCode: z.number().int().nullable(),
  durationMs: z.number(),
  /** The tail of stdout and stderr interleaved, as runTests returns it. */
  output: z.string(),
  /** ISO time the run finished. */
  at: z.string(),
});
export type TestRunRecord = z.infer<typeof TestRunRecord>;

/** What list_test_runs shows: the record without its output. */
export type TestRunSummary = Omit<TestRunRecord, 'schemaVersion' | 'output'>;

function recordPath(envDir: string, suite: string): string {
  if (!SUITE_NAME.test(suite)) {
    throw new ReleaseStoreError(
      `Suite name ${JSON.stringify(suite)} is invalid: use letters, digits, '_', '.' and '-' only.`,
    );
  }
  return path.join(envDir, TEST_RUNS_DIR, `${suite}.json`);
}

/** Replaces the suite's record; written beside it and renamed, so a reader never sees half a file. */
export async function saveTestRun(envDir: string, record: Omit<TestRunRecord, 'schemaVersion'>): Promise<void> {
  const file = recordPath(envDir, record.suite);
  await mkdir(path.dirname(file), { recursive: true });
  // Unique per write: test runs of one SHA finishing in the same millisecond must not share a temp file.
  const partial = `${file}.${process.pid}.${randomUUID()}.partial`;
  await writeFile(
    partial,
    `${JSON.stringify({ schemaVersion: TEST_RUN_SCHEMA_VERSION, ...record }, null, 2)}\n`,
    'utf8',
  );
  await rename(partial, file);
}

/** The suite's last recorded run, or null when it never ran in this environment. */
export async function readTestRun(envDir: string, suite: string): Promise<TestRunRecord | null> {
  const file = recordPath(envDir, suite);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return null;
    throw error;
  }
  return parseRecord(file, text);
}

/** Every suite's last run, newest first. */
export async function listTestRuns(envDir: string): Promise<TestRunSummary[]> {
  let names: string[];
  try {
    names = await readdir(path.join(envDir, TEST_RUNS_DIR));
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return [];
    throw error;
  }
  const suites = names.filter((name) => name.endsWith('.json')).map((name) => name.slice(0, -'.json'.length));
  const records = await Promise.all(suites.map((suite) => readTestRun(envDir, suite)));
  return records
    .filter((record): record is TestRunRecord => record !== null)
    .sort((a, b) => b.at.localeCompare(a.at))
    .map(({ schemaVersion: _version, output: _output, ...summary }) => summary);
}

function parseRecord(file: string, text: string): TestRunRecord {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const parsed = TestRunRecord.safeParse(json);
  if (!parsed.success) {
    throw new ReleaseStoreError(
      `${file} is not a test run record of schema version ${TEST_RUN_SCHEMA_VERSION}. Run the suite again to rewrite it.`,
    );
  }
  return parsed.data;
}
