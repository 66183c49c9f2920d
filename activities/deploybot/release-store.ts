import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { withEnvironmentLock } from './environment-lock';
import { resolveCommit } from './git-export';
import { appendHistory, findOperation, lastSwitchBySha, readHistory, rollbackTarget, type HistoryEntry } from './release-history';
import {
  ensureRelease,
  errorCode,
  exists,
  layoutFor,
  listReleaseDirectories,
  readCurrentSha,
  releasePathFor,
  switchCurrent,
  type EnvironmentLayout,
} from './release-layout';
import { ReleaseStoreError } from './release-store-error';
import { runShellCommand } from './run-shell-command';
import { listTestRuns, readTestRun, saveTestRun, type TestRunRecord, type TestRunSummary } from './test-output-store';
import { commandForSuite, DEFAULT_SUITE, readTestSuites } from './test-suites';

export { ReleaseStoreError } from './release-store-error';
export type { TestRunRecord, TestRunSummary } from './test-output-store';

export type Environment = 'staging' | 'production';

export interface ReleaseStoreOptions {
  /** Path of a git repository to deploy from. */
  repo: string;
  /** Releases live in <root>/<env>/releases/<sha>; the current symlink at <root>/<env>/current. */
  root: string;
  /** Shell command run by runTests, with the current release as working directory. */
  testCommand: string;
  /** Default 10 minutes. */
  testTimeoutMs?: number;
}

export interface DeployResult {
  environment: Environment;
  ref: string;
  sha: string;
  releasePath: string;
  changed: boolean;
  previousSha: string | null;
}

export interface TestRunResult {
  environment: Environment;
  sha: string;
  suite: string;
  passed: boolean;
  exitCode: number | null;
  durationMs: number;
  /** The last ~40 lines / 4000 chars, with a note of how much was cut. */
  output: string;
}

export interface ReleaseInfo {
  sha: string;
  current: boolean;
  deployedAt: string;
}

export interface RollbackResult {
  environment: Environment;
  fromSha: string;
  toSha: string;
  changed: boolean;
}

export interface ReleaseStore {
  deploy(input: { environment: Environment; ref: string; operationId: string }): Promise<DeployResult>;
  /** Runs one suite of the current release (default: the configured test command) and records it as the suite's last run. */
  runTests(input: { environment: Environment; suite?: string }): Promise<TestRunResult>;
  /** The suite's last recorded run in the environment, with its output tail, or null if it never ran. */
  lastTestRun(input: { environment: Environment; suite: string }): Promise<TestRunRecord | null>;
  /** The last run of every suite that ran in the environment, newest first, without output. */
  listTestRuns(input: { environment: Environment }): Promise<TestRunSummary[]>;
  /** The suites the current release names in tfa-tests.json, or `default`. */
  listTestSuites(input: { environment: Environment }): Promise<Array<{ suite: string; command: string }>>;
  /** The SHA `current` points to, or null before the first deploy. */
  currentSha(input: { environment: Environment }): Promise<string | null>;
  /** Newest first. */
  listReleases(input: { environment: Environment }): Promise<ReleaseInfo[]>;
  rollback(input: { environment: Environment; operationId: string }): Promise<RollbackResult>;
}

const DEFAULT_TEST_TIMEOUT_MS = 10 * 60 * 1000;
const ENVIRONMENTS: readonly string[] = ['staging', 'production'] satisfies Environment[];

export function createReleaseStore(options: ReleaseStoreOptions): ReleaseStore {
  // Inputs arrive through Temporal payloads, so the types are checked again at runtime.
  const layout = (environment: unknown) => layoutFor(options.root, assertEnvironment(environment));
  // async wrappers turn validation failures into rejections rather than synchronous throws.
  return {
    deploy: async (input) => deploy(options, layout(input.environment), input),
    runTests: async (input) => runTests(options, layout(input.environment), input.environment, input.suite),
    listTestSuites: async (input) => {
      const suites = await readTestSuites(await currentReleaseDir(layout(input.environment), input.environment), options.testCommand);
      return Object.entries(suites).map(([suite, command]) => ({ suite, command }));
    },
    lastTestRun: async (input) => readTestRun(layout(input.environment).envDir, input.suite),
    listTestRuns: async (input) => listTestRuns(layout(input.environment).envDir),
    currentSha: async (input) => readCurrentSha(layout(input.environment)),
    listReleases: async (input) => listReleases(layout(input.environment)),
    rollback: async (input) => rollback(layout(input.environment), input),
  };
}

async function deploy(
  options: ReleaseStoreOptions,
  layout: EnvironmentLayout,
  input: { environment: Environment; ref: string; operationId: string },
): Promise<DeployResult> {
  const { environment, ref, operationId } = input;
  assertOperationId(operationId);
  return withEnvironmentLock(layout.envDir, async () => {
    const earlier = findOperation(await readHistory(layout.historyFile), operationId);
    if (earlier) {
      const entry = await replayOperation(layout, 'deploy', operationId, earlier);
      const releasePath = releasePathFor(layout, entry.sha);
      return { environment, ref: entry.ref ?? ref, sha: entry.sha, releasePath, changed: false, previousSha: entry.previousSha };
    }
    const sha = await resolveCommit(options.repo, ref);
    const releasePath = await ensureRelease(layout, options.repo, sha);
    const previousSha = await readCurrentSha(layout);
    if (previousSha === sha) return { environment, ref, sha, releasePath, changed: false, previousSha };
    await recordSwitch(layout, { kind: 'deploy', sha, previousSha, operationId, ref, at: new Date().toISOString() });
    return { environment, ref, sha, releasePath, changed: true, previousSha };
  });
}

async function rollback(layout: EnvironmentLayout, input: { environment: Environment; operationId: string }): Promise<RollbackResult> {
  const { environment, operationId } = input;
  assertOperationId(operationId);
  return withEnvironmentLock(layout.envDir, async () => {
    const history = await readHistory(layout.historyFile);
    const earlier = findOperation(history, operationId);
    if (earlier) {
      const entry = await replayOperation(layout, 'rollback', operationId, earlier);
      return { environment, fromSha: entry.previousSha ?? entry.sha, toSha: entry.sha, changed: false };
    }
    const fromSha = await readCurrentSha(layout);
    if (fromSha === null) {
      throw new ReleaseStoreError(`Nothing to roll back in ${environment}: no release is current. Deploy a ref first.`);
    }
    const toSha = rollbackTarget(history);
    if (toSha === null || toSha === fromSha) {
      throw new ReleaseStoreError(
        `Nothing to roll back to in ${environment}: no release was current before ${fromSha}. Deploy a specific ref instead.`,
      );
    }
    if (!(await exists(releasePathFor(layout, toSha)))) {
      throw new ReleaseStoreError(`Cannot roll back ${environment} to ${toSha}: its release directory is gone. Deploy ref ${toSha} instead.`);
    }
    await recordSwitch(layout, { kind: 'rollback', sha: toSha, previousSha: fromSha, operationId, at: new Date().toISOString() });
    return { environment, fromSha, toSha, changed: true };
  });
}

/** History first, then the link: if the process dies in between, the activity retry finds the entry and finishes the switch. */
async function recordSwitch(layout: EnvironmentLayout, entry: HistoryEntry): Promise<void> {
  await appendHistory(layout.historyFile, entry);
  await switchCurrent(layout, entry.sha);
}

/** A retry of an operation that already switched: changes nothing, except finishing a switch cut short by a crash. */
async function replayOperation(
  layout: EnvironmentLayout,
  kind: HistoryEntry['kind'],
  operationId: string,
  earlier: { entry: HistoryEntry; isLatest: boolean },
): Promise<HistoryEntry> {
  const { entry, isLatest } = earlier;
  if (entry.kind !== kind) {
    throw new ReleaseStoreError(`Operation id "${operationId}" was already used for a ${entry.kind}. Use a new operation id for this ${kind}.`);
  }
  // Only the latest entry may still be unfinished; older ones were superseded by later switches.
  if (isLatest && (await readCurrentSha(layout)) !== entry.sha) await switchCurrent(layout, entry.sha);
  return entry;
}

/** Without a suite, the configured test command; with one, that suite of the release's tfa-tests.json. */
async function runTests(options: ReleaseStoreOptions, layout: EnvironmentLayout, environment: Environment, suite?: string): Promise<TestRunResult> {
  const releaseDir = await currentReleaseDir(layout, environment);
  const command = suite === undefined ? options.testCommand : commandForSuite(await readTestSuites(releaseDir, options.testCommand), suite);
  const run = await runShellCommand(command, releaseDir, options.testTimeoutMs ?? DEFAULT_TEST_TIMEOUT_MS);
  const result: TestRunResult = {
    environment,
    sha: path.basename(releaseDir),
    suite: suite ?? DEFAULT_SUITE,
    passed: run.exitCode === 0,
    exitCode: run.exitCode,
    durationMs: run.durationMs,
    output: run.output,
  };
  const { environment: _environment, ...record } = result;
  await saveTestRun(layout.envDir, { ...record, at: new Date().toISOString() });
  return result;
}

/** The real directory, so the run stays on one release even if `current` switches while tests run. */
async function currentReleaseDir(layout: EnvironmentLayout, environment: Environment): Promise<string> {
  const sha = await readCurrentSha(layout);
  if (sha === null) {
    throw new ReleaseStoreError(`No current release in ${environment} to test. Deploy a ref to ${environment} first.`);
  }
  try {
    return await realpath(layout.currentLink);
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') throw error;
    throw new ReleaseStoreError(`${environment}'s current release ${sha} is missing on disk. Deploy ref ${sha} again.`, { cause: error });
  }
}

async function listReleases(layout: EnvironmentLayout): Promise<ReleaseInfo[]> {
  const [directories, history, currentSha] = await Promise.all([
    listReleaseDirectories(layout),
    readHistory(layout.historyFile),
    readCurrentSha(layout),
  ]);
  const lastSwitch = lastSwitchBySha(history);
  const releases = directories.map(({ sha, modifiedAt }) => {
    const switched = lastSwitch.get(sha);
    const deployedAt = switched?.at ?? modifiedAt.toISOString();
    return { sha, current: sha === currentSha, deployedAt, order: [Date.parse(deployedAt), switched?.position ?? -1] as const };
  });
  // Same-millisecond switches are ordered by their place in history.
  releases.sort((a, b) => b.order[0] - a.order[0] || b.order[1] - a.order[1]);
  return releases.map(({ sha, current, deployedAt }) => ({ sha, current, deployedAt }));
}

function assertEnvironment(environment: unknown): Environment {
  if (typeof environment !== 'string' || !ENVIRONMENTS.includes(environment)) {
    throw new ReleaseStoreError(`Unknown environment ${JSON.stringify(environment)}. Use one of: ${ENVIRONMENTS.join(', ')}.`);
  }
  return environment as Environment;
}

function assertOperationId(operationId: unknown): void {
  if (typeof operationId !== 'string' || operationId.trim() === '') {
    throw new ReleaseStoreError('operationId is missing. Pass a stable id per operation (e.g. the workflow id plus tool call id).');
  }
}
