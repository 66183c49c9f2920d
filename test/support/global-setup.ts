import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode } from '@temporalio/worker';
import { devServerTuningArgs } from '../../scripts/dev-server-tuning';
import { ensureTemporalCli } from '../../scripts/temporal-cli.cjs';
import { PAYLOAD_CONVERTER_PATH, WORKFLOW_PRELOAD_MODULES } from '../../worker/create-worker';
import { TFA_SEARCH_ATTRIBUTE_KEYS } from '../../workflows/search-attributes';
import { TEST_ENV_KEYS } from './test-server';

/** Starts one real Temporal dev server (the `temporal` CLI) and bundles the workflows once per jest run. */
export default async function globalSetup(): Promise<void> {
  const cli = ensureTemporalCli();
  const env = await TestWorkflowEnvironment.createLocal({
    // The floods and kills the tests make are expected: the server logs errors only.
    server: {
      executable: { type: 'existing-path', path: cli },
      ip: '127.0.0.1',
      ui: false,
      log: { format: 'pretty', level: 'error' },
      searchAttributes: TFA_SEARCH_ATTRIBUTE_KEYS,
      extraArgs: devServerTuningArgs({ sqlite: false }),
    },
  });
  (globalThis as { __tfaTestEnv?: TestWorkflowEnvironment }).__tfaTestEnv = env;
  const bundle = await bundleWorkflowCode({
    workflowsPath: require.resolve('../../workflows'),
    payloadConverterPath: PAYLOAD_CONVERTER_PATH,
    preloadModules: [...WORKFLOW_PRELOAD_MODULES],
    logger: { log() {}, trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error },
  });
  const bundleDir = await fs.mkdtemp(path.join(os.tmpdir(), 'tfa-bundle-'));
  const bundlePath = path.join(bundleDir, 'workflow-bundle.js');
  await fs.writeFile(bundlePath, bundle.code);
  process.env[TEST_ENV_KEYS.address] = env.address;
  process.env[TEST_ENV_KEYS.bundlePath] = bundlePath;
  process.env[TEST_ENV_KEYS.temporalCli] = cli;
}
