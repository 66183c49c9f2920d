import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { commandEnvironment } from './command-environment';
import {
  assertFullSha,
  ensureRelease,
  errorCode,
  layoutFor,
  readCurrentSha,
  type EnvironmentLayout,
} from './release-layout';
import { ReleaseStoreError } from './release-store-error';
import type { Environment } from '../../agents/environments';
import type { ReleaseStoreOptions, TestRunResult } from './release-store';
import { runShellCommand } from './run-shell-command';
import { listTestRuns, saveTestRun, type TestRunSummary } from './test-output-store';
import { commandForSuite, DEFAULT_SUITE, readTestSuites } from './test-suites';

const DEFAULT_TEST_TIMEOUT_MS = 10 * 60 * 1000;

/** Releases tested by SHA are extracted where staging keeps its releases (without switching staging). */
const TESTED_IN: Environment = 'staging';

/**
 * Test runs keyed by what they tested: <root>/commits/<sha>/test-runs/<suite>.json holds the
 * latest run of each suite of that commit. The pipeline reads these as its evidence.
 */
export function commitRecordsDir(root: string, sha: string): string {
  return path.join(path.resolve(root), 'commits', assertFullSha(sha));
}

/** Running suites in a release and recording each run, by the SHA it ran on. */
export function releaseTests(options: ReleaseStoreOptions) {
  const env = options.commandEnv ?? commandEnvironment(process.env);
  const timeoutMs = options.testTimeoutMs ?? DEFAULT_TEST_TIMEOUT_MS;

  async function run(
    releaseDir: string,
    sha: string,
    suite: string | undefined,
    environment?: Environment,
  ): Promise<TestRunResult> {
    const command =
      suite === undefined
        ? options.testCommand
        : commandForSuite(await readTestSuites(releaseDir, options.testCommand), suite);
    const outcome = await runShellCommand(command, releaseDir, timeoutMs, env);
    const result = {
      sha,
      suite: suite ?? DEFAULT_SUITE,
      passed: outcome.exitCode === 0,
      exitCode: outcome.exitCode,
      durationMs: outcome.durationMs,
      output: outcome.output,
    };
    const record = { ...result, at: new Date().toISOString() };
    await saveTestRun(commitRecordsDir(options.root, sha), record);
    // The environment's view (what last ran there), read by the triage agent.
    await saveTestRun(layoutFor(options.root, environment ?? TESTED_IN).envDir, record);
    return environment === undefined ? result : { environment, ...result };
  }

  /** The release directory of `sha`, made from the repository when missing; never "whatever staging runs now". */
  async function releaseOf(sha: string): Promise<string> {
    assertFullSha(sha);
    return ensureRelease(layoutFor(options.root, TESTED_IN), options.repo, sha);
  }

  return {
    /** The environment's current release, resolved once so the run stays on it even if `current` switches. */
    async onEnvironment(layout: EnvironmentLayout, environment: Environment, suite?: string): Promise<TestRunResult> {
      const releaseDir = await currentReleaseDir(layout, environment);
      return run(releaseDir, path.basename(releaseDir), suite, environment);
    },
    async ofRelease(sha: string, suite: string): Promise<TestRunResult> {
      return run(await releaseOf(sha), sha, suite);
    },
    async suitesOf(sha: string): Promise<Array<{ suite: string; command: string }>> {
      const suites = await readTestSuites(await releaseOf(sha), options.testCommand);
      return Object.entries(suites).map(([suite, command]) => ({ suite, command }));
    },
    async runsOf(sha: string): Promise<TestRunSummary[]> {
      return listTestRuns(commitRecordsDir(options.root, sha));
    },
  };
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
    throw new ReleaseStoreError(
      `${environment}'s current release ${sha} is missing on disk. Deploy ref ${sha} again.`,
      { cause: error },
    );
  }
}
