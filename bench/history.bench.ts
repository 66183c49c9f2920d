// `npx tsx bench/history.bench.ts`: history bytes per step over a 300-step run on the tuned dev server
// (issue 12, item 3), the same figure `npm run bench` reports as history.*, measured alone. Prints
// figures; asserts nothing.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Runtime } from '@temporalio/worker';
import { devServerTuningArgs } from '../scripts/dev-server-tuning';
import { ensureTemporalCli } from '../scripts/temporal-cli.cjs';
import { TEST_ENV_KEYS } from '../test/support/test-server';
import { PAYLOAD_CONVERTER_PATH } from '../worker/create-worker';
import { TFA_SEARCH_ATTRIBUTE_KEYS } from '../workflows/search-attributes';
import { benchHarness, historyOverSteps } from './tfa-figures';

const STEPS = Number(process.env.TFA_BENCH_HISTORY_STEPS ?? 300);

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tfa-bench-history-'));
  const bundlePath = path.join(dir, 'workflow-bundle.js');
  const bundle = await bundleWorkflowCode({
    workflowsPath: require.resolve('../workflows'),
    payloadConverterPath: PAYLOAD_CONVERTER_PATH,
    logger: new DefaultLogger('ERROR'),
  });
  await fs.writeFile(bundlePath, bundle.code);
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: ensureTemporalCli() },
      ip: '127.0.0.1',
      ui: false,
      searchAttributes: TFA_SEARCH_ATTRIBUTE_KEYS,
      dbFilename: path.join(dir, 'temporal.db'),
      extraArgs: devServerTuningArgs(),
    },
  });
  Object.assign(process.env, { [TEST_ENV_KEYS.address]: env.address, [TEST_ENV_KEYS.bundlePath]: bundlePath });
  const harness = await benchHarness();
  try {
    const history = await historyOverSteps(harness, STEPS);
    console.log(JSON.stringify(history, null, 2));
  } finally {
    await harness.close();
    await env.teardown();
    await fs.rm(dir, { recursive: true, force: true });
  }
}
void main();
