import { TestWorkflowEnvironment } from '@temporalio/testing';
import { devServerTuningArgs } from '../scripts/dev-server-tuning';
import { ensureTemporalCli } from '../scripts/temporal-cli.cjs';
import { TEST_ENV_KEYS } from '../test/support/test-server';
import { TFA_SEARCH_ATTRIBUTE_KEYS } from '../workflows/search-attributes';

export interface BenchServerOptions {
  /** The settings `npm start` and the tests use (scripts/dev-server-tuning.ts); false: the server's own defaults. */
  tuned: boolean;
  /** A SQLite file, as `npm start` keeps; absent: in memory. */
  dbFilename?: string;
  /** The workflow bundle the harness's workers load. */
  bundlePath: string;
}

/**
 * A dev server with tfa's search attributes for one benchmark, and the test harness pointed at it and
 * at the bundle (startHarness and benchHarness read both from the environment).
 */
export async function startBenchServer(options: BenchServerOptions): Promise<TestWorkflowEnvironment> {
  const { tuned, dbFilename, bundlePath } = options;
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: ensureTemporalCli() },
      ip: '127.0.0.1',
      ui: false,
      searchAttributes: TFA_SEARCH_ATTRIBUTE_KEYS,
      dbFilename,
      extraArgs: tuned ? devServerTuningArgs({ sqlite: dbFilename !== undefined }) : [],
    },
  });
  Object.assign(process.env, { [TEST_ENV_KEYS.address]: env.address, [TEST_ENV_KEYS.bundlePath]: bundlePath });
  return env;
}
