// `npm run bench:runtime`: a 100-step scripted DeployBot run on a real Temporal dev server.
// Prints the workflow history bytes each step adds (first vs last ten steps: each model call carries
// its budgeted input, so they grow until the context reaches its budget, then stay flat), the wall
// time per step, and how long a run takes to act on an approval signal. Prints figures; asserts nothing.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { AGENT_WORKFLOW_TYPE } from '../core/constants';
import { bundleWorkflowsTo } from '../scripts/bundle-workflows';
import { startHarness, waitForState } from '../test/support/workflow-harness';
import { approveSignal, threadQuery } from '../workflows/messages';
import { startBenchServer } from './bench-server';

const STEPS = 100;
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** Bytes of history per step: a step starts when the workflow schedules chooseNextTool. */
function bytesPerStep(events: HistoryEvent[]): number[] {
  const steps: number[] = [];
  for (const event of events) {
    const size = temporal.api.history.v1.HistoryEvent.encode(event).finish().length;
    if (event.activityTaskScheduledEventAttributes?.activityType?.name === 'chooseNextTool') steps.push(0);
    if (steps.length > 0) steps[steps.length - 1]! += size;
  }
  return steps;
}

const average = (values: number[]) => Math.round(values.reduce((sum, value) => sum + value, 0) / values.length);

async function measureSteps(harness: Awaited<ReturnType<typeof startHarness>>): Promise<void> {
  const listing = { toolCall: { name: 'list_releases', arguments: { environment: 'staging' } } };
  harness.model.enqueue(...Array.from({ length: STEPS - 1 }, () => listing), {
    toolCall: { name: 'done_for_now', arguments: { message: 'done' } },
  });
  const started = Date.now();
  const handle = await harness.client.workflow.start(AGENT_WORKFLOW_TYPE, {
    taskQueue: harness.taskQueue,
    workflowId: `bench-steps-${Date.now()}`,
    args: [
      {
        agent: 'deploybot',
        message: `list staging releases ${STEPS - 1} times`,
        maxSteps: STEPS + 5,
        continueAsNewAfterSteps: STEPS + 5,
      },
    ],
  });
  await handle.result();
  const elapsed = Date.now() - started;
  const perStep = bytesPerStep((await handle.fetchHistory()).events ?? []);
  const row = (label: string, values: number[]) =>
    `  ${label.padEnd(26)} steps 1-10 ${String(average(values.slice(0, 10))).padStart(6)} B   41-50 ${String(average(values.slice(40, 50))).padStart(6)} B   91-100 ${String(average(values.slice(-10))).padStart(6)} B`;
  console.log(`history bytes added per step (${perStep.length} steps, one workflow run):`);
  console.log(row('ours (input inline)', perStep));
  const [first, last] = [average(perStep.slice(0, 10)), average(perStep.slice(-10))];
  console.log(`  last ten / first ten (ours): ${(last / first).toFixed(2)}`);
  console.log(`wall time per step (model call + tool + workflow tasks): ${(elapsed / STEPS).toFixed(1)} ms`);
}

async function measureResume(harness: Awaited<ReturnType<typeof startHarness>>): Promise<void> {
  const samples: number[] = [];
  for (let run = 0; run < 5; run++) {
    harness.model.enqueue(
      { toolCall: { name: 'deploy_to_production', arguments: { ref: 'main' } } },
      { toolCall: { name: 'done_for_now', arguments: { message: 'ok' } } },
    );
    const handle = await harness.client.workflow.start(AGENT_WORKFLOW_TYPE, {
      taskQueue: harness.taskQueue,
      workflowId: `bench-resume-${run}-${Date.now()}`,
      args: [{ agent: 'deploybot', message: 'deploy main' }],
    });
    await waitForState(handle, (state) => state.status === 'awaiting_approval');
    const sent = Date.now();
    await handle.signal(approveSignal, { by: 'bench' });
    await waitForState(handle, (state) => state.status !== 'awaiting_approval', 10_000);
    samples.push(Date.now() - sent);
    await handle.result();
    void (await handle.query(threadQuery));
  }
  console.log(
    `approval signal to run moving on (5 runs): median ${samples.sort((a, b) => a - b)[2]} ms, max ${samples[4]} ms`,
  );
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  // TFA_BENCH_SERVER=default: the server's own settings (what self-hosted and Cloud users get);
  // TFA_BENCH_DB=file: a SQLite file like `npm start`.
  const bundleDir = await fs.mkdtemp(path.join(os.tmpdir(), 'tfa-bench-'));
  const tuned = process.env.TFA_BENCH_SERVER !== 'default';
  const dbFilename = process.env.TFA_BENCH_DB === 'file' ? path.join(bundleDir, 'temporal.db') : undefined;
  console.log(
    `dev server: ${tuned ? 'tuned (scripts/dev-server-tuning.ts)' : 'default settings'}, ${dbFilename ? 'SQLite file' : 'in memory'}`,
  );
  const bundlePath = await bundleWorkflowsTo(path.join(bundleDir, 'workflow-bundle.js'));
  const env = await startBenchServer({ tuned, dbFilename, bundlePath });
  const harness = await startHarness();
  try {
    await measureSteps(harness);
    await measureResume(harness);
  } finally {
    await harness.close();
    await env.teardown();
    await fs.rm(bundleDir, { recursive: true, force: true });
  }
}

void main();
