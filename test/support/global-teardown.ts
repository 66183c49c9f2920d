import fs from 'node:fs/promises';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { printFaultTable } from '../faults/fault-table';
import { TEST_ENV_KEYS } from './test-server';

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __tfaTestEnv?: TestWorkflowEnvironment }).__tfaTestEnv?.teardown();
  printFaultTable(); // the fault suite's rows (test/faults/), when it ran; they live beside the bundle
  const bundlePath = process.env[TEST_ENV_KEYS.bundlePath];
  if (bundlePath) await fs.rm(path.dirname(bundlePath), { recursive: true, force: true });
}
