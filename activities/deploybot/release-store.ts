import { Environment } from '../../agents/environments';
import { withEnvironmentLock } from './environment-lock';
import { resolveCommit } from './git-export';
import {
  appendHistory,
  findOperation,
  lastSwitchBySha,
  readHistory,
  rollbackTarget,
  type HistoryEntry,
} from './release-history';
import {
  assertFullSha,
  ensureRelease,
  exists,
  layoutFor,
  listReleaseDirectories,
  readCurrentSha,
  releasePathFor,
  switchCurrent,
  type EnvironmentLayout,
} from './release-layout';
import { ReleaseStoreError } from './release-store-error';
import { releaseTests } from './release-tests';
import { listTestRuns, readTestRun, type TestRunRecord, type TestRunSummary } from './test-output-store';

export { ReleaseStoreError } from './release-store-error';
export type { TestRunRecord, TestRunSummary } from './test-output-store';

export interface ReleaseStoreOptions {
  /** Path of a git repository to deploy from. */
  repo: string;
  /** Releases live in <root>/<env>/releases/<sha>; the current symlink at <root>/<env>/current. */
  root: string;
  /** Shell command run by runTests, with the current release as working directory. */
  testCommand: string;
  /** Default 10 minutes. */
  testTimeoutMs?: number;
  /** The whole environment of test commands. Default: PATH, HOME and LANG of this process (commandEnvironment). */
  commandEnv?: Record<string, string>;
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
  /** The environment whose current release ran; absent when a release was tested by SHA. */
  environment?: Environment;
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
  /**
   * Deploys `sha` when given (a full SHA pinned before approval: exactly that commit, whatever `ref`
   * points to now), else resolves `ref` now. Idempotent per operationId.
   */
  deploy(input: { environment: Environment; ref: string; sha?: string; operationId: string }): Promise<DeployResult>;
  /** The full commit SHA `ref` names now; an unknown ref is a ReleaseStoreError. */
  resolveRef(input: { ref: string }): Promise<{ ref: string; sha: string }>;
  /** What a rollback would do now: the environment's current SHA and the release it would switch back to. */
  planRollback(input: { environment: Environment }): Promise<RollbackPlan>;
  /** Runs one suite of the environment's current release (default: the configured test command), recorded by SHA. */
  runTests(input: { environment: Environment; suite?: string }): Promise<TestRunResult>;
  /** Runs one suite of the release of `sha` (created from the repository when missing), recorded by SHA. */
  testRelease(input: { sha: string; suite: string }): Promise<TestRunResult>;
  /** The suites the release of `sha` names in tfa-tests.json, or `default`. */
  listTestSuites(input: { sha: string }): Promise<Array<{ suite: string; command: string }>>;
  /** The latest recorded run of every suite of `sha`, newest first, without output: the pipeline's evidence. */
  testRunsOf(input: { sha: string }): Promise<TestRunSummary[]>;
  /** The suite's last recorded run in the environment, with its output tail, or null if it never ran. */
  lastTestRun(input: { environment: Environment; suite: string }): Promise<TestRunRecord | null>;
  /** The last run of every suite that ran in the environment, newest first, without output. */
  listTestRuns(input: { environment: Environment }): Promise<TestRunSummary[]>;
  /** The SHA `current` points to, or null before the first deploy. */
  currentSha(input: { environment: Environment }): Promise<string | null>;
  /** Newest first. */
  listReleases(input: { environment: Environment }): Promise<ReleaseInfo[]>;
  /** The SHAs deployed to the environment by operations whose id starts with `operationIdPrefix`, oldest first. */
  deployedBy(input: { environment: Environment; operationIdPrefix: string }): Promise<string[]>;
  /**
   * Switches back. With the plan's `fromSha`/`toSha` (as approved) it refuses when the environment no
   * longer runs `fromSha`, and switches to exactly `toSha`; without them it computes both now.
   */
  rollback(input: {
    environment: Environment;
    operationId: string;
    fromSha?: string;
    toSha?: string;
  }): Promise<RollbackResult>;
}

export interface RollbackPlan {
  environment: Environment;
  fromSha: string;
  toSha: string;
}

export function createReleaseStore(options: ReleaseStoreOptions): ReleaseStore {
  // Inputs arrive through Temporal payloads, so the types are checked again at runtime.
  const layout = (environment: unknown) => layoutFor(options.root, assertEnvironment(environment));
  const tests = releaseTests(options);
  // async wrappers turn validation failures into rejections rather than synchronous throws.
  return {
    deploy: async (input) => deploy(options, layout(input.environment), input),
    resolveRef: async (input) => ({ ref: input.ref, sha: await resolveCommit(options.repo, input.ref) }),
    planRollback: async (input) => {
      const envLayout = layout(input.environment);
      return planRollback(envLayout, input.environment, await readHistory(envLayout.historyFile));
    },
    runTests: async (input) => tests.onEnvironment(layout(input.environment), input.environment, input.suite),
    testRelease: async (input) => tests.ofRelease(input.sha, input.suite),
    listTestSuites: async (input) => tests.suitesOf(input.sha),
    testRunsOf: async (input) => tests.runsOf(input.sha),
    lastTestRun: async (input) => readTestRun(layout(input.environment).envDir, input.suite),
    listTestRuns: async (input) => listTestRuns(layout(input.environment).envDir),
    currentSha: async (input) => readCurrentSha(layout(input.environment)),
    listReleases: async (input) => listReleases(layout(input.environment)),
    deployedBy: async (input) => {
      const history = await readHistory(layout(input.environment).historyFile);
      return history
        .filter((entry) => entry.kind === 'deploy' && entry.operationId.startsWith(input.operationIdPrefix))
        .map((entry) => entry.sha);
    },
    rollback: async (input) => rollback(layout(input.environment), input),
  };
}

async function deploy(
  options: ReleaseStoreOptions,
  layout: EnvironmentLayout,
  input: { environment: Environment; ref: string; sha?: string; operationId: string },
): Promise<DeployResult> {
  const { environment, ref, operationId } = input;
  if (input.sha !== undefined) assertFullSha(input.sha);
  assertOperationId(operationId);
  return withEnvironmentLock(layout.envDir, async () => {
    const earlier = findOperation(await readHistory(layout.historyFile), operationId);
    if (earlier) {
      const entry = await replayOperation(layout, 'deploy', operationId, earlier);
      const releasePath = releasePathFor(layout, entry.sha);
      return {
        environment,
        ref: entry.ref ?? ref,
        sha: entry.sha,
        releasePath,
        changed: false,
        previousSha: entry.previousSha,
      };
    }
    const sha =
      input.sha === undefined ? await resolveCommit(options.repo, ref) : await assertCommit(options.repo, input.sha);
    const releasePath = await ensureRelease(layout, options.repo, sha);
    const previousSha = await readCurrentSha(layout);
    if (previousSha === sha) return { environment, ref, sha, releasePath, changed: false, previousSha };
    await recordSwitch(layout, { kind: 'deploy', sha, previousSha, operationId, ref, at: new Date().toISOString() });
    return { environment, ref, sha, releasePath, changed: true, previousSha };
  });
}

async function rollback(
  layout: EnvironmentLayout,
  input: { environment: Environment; operationId: string; fromSha?: string; toSha?: string },
): Promise<RollbackResult> {
  const { environment, operationId } = input;
  assertOperationId(operationId);
  return withEnvironmentLock(layout.envDir, async () => {
    const history = await readHistory(layout.historyFile);
    const earlier = findOperation(history, operationId);
    if (earlier) {
      const entry = await replayOperation(layout, 'rollback', operationId, earlier);
      return { environment, fromSha: entry.previousSha ?? entry.sha, toSha: entry.sha, changed: false };
    }
    if (input.fromSha !== undefined) assertFullSha(input.fromSha);
    if (input.toSha !== undefined) assertFullSha(input.toSha);
    const approved =
      input.fromSha !== undefined && input.toSha !== undefined ? { fromSha: input.fromSha, toSha: input.toSha } : null;
    if (approved && (await readCurrentSha(layout)) !== approved.fromSha) {
      const now = (await readCurrentSha(layout)) ?? 'no release';
      throw new ReleaseStoreError(
        `${environment} now runs ${now}, not ${approved.fromSha} as when this rollback to ${approved.toSha} was approved; nothing was changed. Check list_releases and ask again.`,
      );
    }
    const { fromSha, toSha } = approved ?? (await planRollback(layout, environment, history));
    if (!(await exists(releasePathFor(layout, toSha)))) {
      throw new ReleaseStoreError(
        `Cannot roll back ${environment} to ${toSha}: its release directory is gone. Deploy ref ${toSha} instead.`,
      );
    }
    await recordSwitch(layout, {
      kind: 'rollback',
      sha: toSha,
      previousSha: fromSha,
      operationId,
      at: new Date().toISOString(),
    });
    return { environment, fromSha, toSha, changed: true };
  });
}

/** The current release and the one before it (history as a stack); errors when there is nothing to go back to. */
async function planRollback(
  layout: EnvironmentLayout,
  environment: Environment,
  history: HistoryEntry[],
): Promise<RollbackPlan> {
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
    throw new ReleaseStoreError(
      `Cannot roll back ${environment} to ${toSha}: its release directory is gone. Deploy ref ${toSha} instead.`,
    );
  }
  return { environment, fromSha, toSha };
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
    throw new ReleaseStoreError(
      `Operation id "${operationId}" was already used for a ${entry.kind}. Use a new operation id for this ${kind}.`,
    );
  }
  // Only the latest entry may still be unfinished; older ones were superseded by later switches.
  if (isLatest && (await readCurrentSha(layout)) !== entry.sha) await switchCurrent(layout, entry.sha);
  return entry;
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
    return {
      sha,
      current: sha === currentSha,
      deployedAt,
      order: [Date.parse(deployedAt), switched?.position ?? -1] as const,
    };
  });
  // Same-millisecond switches are ordered by their place in history.
  releases.sort((a, b) => b.order[0] - a.order[0] || b.order[1] - a.order[1]);
  return releases.map(({ sha, current, deployedAt }) => ({ sha, current, deployedAt }));
}

function assertEnvironment(environment: unknown): Environment {
  const parsed = Environment.safeParse(environment);
  if (!parsed.success)
    throw new ReleaseStoreError(
      `Unknown environment ${JSON.stringify(environment)}. Use one of: ${Environment.options.join(', ')}.`,
    );
  return parsed.data;
}

function assertOperationId(operationId: unknown): void {
  if (typeof operationId !== 'string' || operationId.trim() === '') {
    throw new ReleaseStoreError(
      'operationId is missing. Pass a stable id per operation (e.g. the workflow id plus tool call id).',
    );
  }
}

/** Resolves a pinned SHA: it must still name a commit of the repository (it cannot move, but it may be unknown). */
async function assertCommit(repo: string, sha: string): Promise<string> {
  const resolved = await resolveCommit(repo, sha);
  if (resolved !== sha)
    throw new ReleaseStoreError(
      `${sha} does not name exactly one commit in ${repo}. Pass the full SHA shown in the request.`,
    );
  return resolved;
}
