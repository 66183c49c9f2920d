import fs from 'node:fs/promises';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { TEST_ENV_KEYS } from './test-server';

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __tfaTestEnv?: TestWorkflowEnvironment }).__tfaTestEnv?.teardown();
  const bundlePath = process.env[TEST_ENV_KEYS.bundlePath];
  if (bundlePath) await fs.rm(path.dirname(bundlePath), { recursive: true, force: true });
}
