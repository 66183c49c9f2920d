// `npx tsx bench/history.bench.ts`: history bytes per step over a 300-step run on the tuned dev server
// (issue 12, item 3), the same figure `npm run bench` reports as history.*, measured alone. Prints
// figures; asserts nothing.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { bundleWorkflowsTo } from '../scripts/bundle-workflows';
import { startBenchServer } from './bench-server';
import { benchHarness, historyOverSteps } from './tfa-figures';

const STEPS = Number(process.env.TFA_BENCH_HISTORY_STEPS ?? 300);

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tfa-bench-history-'));
  const bundlePath = await bundleWorkflowsTo(path.join(dir, 'workflow-bundle.js'));
  const env = await startBenchServer({ tuned: true, dbFilename: path.join(dir, 'temporal.db'), bundlePath });
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
