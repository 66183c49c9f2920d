import { Client, Connection } from '@temporalio/client';
import { AGENT_WORKFLOW_TYPE, DEFAULT_MODEL } from '../../core/constants';
import { approveSignal, threadQuery } from '../../workflows/messages';
import { callTool, startScriptedModelServer, type ScriptedModelServer } from '../../scripts/scripted-model/server';
import { createDeployFixture, type DeployFixture } from '../support/deploy-fixture';
import { freePort } from '../support/free-port';
import { completionReporting } from '../support/hostile-completion';
import { testServerAddress, workflowBundlePath } from '../support/test-server';
import { runTfa } from '../support/tfa-command';
import { eventually, waitForState } from '../support/workflow-harness';
import { scriptedDeployEnv, startWorkerProcess, type WorkerProcess } from '../faults/worker-process';

let model: ScriptedModelServer;
let fixture: DeployFixture;
let connection: Connection;
let worker: WorkerProcess | undefined;

afterEach(async () => {
  await worker?.kill();
  await Promise.all([model?.close(), fixture?.cleanup(), connection?.close()]);
});

/** One Prometheus sample: `name{label="value",...} number`. */
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function parseExposition(text: string): Sample[] {
  return text
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!match) throw new Error(`not a Prometheus sample line: ${line}`);
      const labels = Object.fromEntries(
        [...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map(([, key, value]) => [key!, value!]),
      );
      return { name: match[1]!, labels, value: Number(match[3]) };
    });
}

async function scrape(port: number): Promise<Sample[]> {
  const response = await fetch(`http://127.0.0.1:${port}/metrics`);
  return parseExposition(await response.text());
}

/** The sum over the samples of `name` whose labels include `labels`. */
function total(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples
    .filter(
      (sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
    )
    .reduce((sum, sample) => sum + sample.value, 0);
}

/** worker/main.ts in its own process, with the bundle jest built, on `taskQueue`, serving metrics on `metricsPort`. */
async function startWorker(taskQueue: string, metricsPort: number): Promise<string> {
  const env = {
    TEMPORAL_ADDRESS: testServerAddress(),
    TFA_TASK_QUEUE: taskQueue,
    TFA_WORKFLOW_BUNDLE: workflowBundlePath(),
    TFA_METRICS_PORT: String(metricsPort),
    ...scriptedDeployEnv(model.baseURL, fixture),
  };
  worker = await startWorkerProcess(env, {
    entry: 'worker/main.ts',
    ready: (stdout) => stdout.includes('worker polling') && stdout.includes('Prometheus metrics'),
  });
  return worker.output();
}

test("the worker serves Temporal's and tfa's metrics on TFA_METRICS_PORT, and tfa status shows the run's tokens and cost", async () => {
  model = await startScriptedModelServer({
    script: [
      callTool('deploy_to_staging', { ref: 'main' }),
      callTool('run_tests', { environment: 'staging' }),
      { text: 'Looks good to me.' }, // no tool call: an invalid answer, counted as a model error
      callTool('deploy_to_production', { ref: 'main' }),
      callTool('done_for_now', { message: 'main is live' }),
    ],
  });
  fixture = await createDeployFixture();
  connection = await Connection.connect({ address: testServerAddress() });
  const client = new Client({ connection });
  const taskQueue = `metrics-${Date.now()}`;
  const port = await freePort();
  const started = await startWorker(taskQueue, port);
  expect(started).toContain(`[tfa] Prometheus metrics: http://127.0.0.1:${port}/metrics`);

  const handle = await client.workflow.start(AGENT_WORKFLOW_TYPE, {
    taskQueue,
    workflowId: `metrics-${Date.now()}`,
    args: [{ agent: 'deploybot', message: 'deploy main to production' }],
  });
  await waitForState(handle, (state) => state.status === 'awaiting_approval');
  const queue = { taskQueue }; // tfa's metrics carry the SDK's tags: namespace, taskQueue, activityType / workflowType
  // The gauges are counted from visibility every few seconds: wait for the count, never for a time.
  await eventually(async () => total(await scrape(port), 'tfa_approvals_waiting', queue) === 1, 30_000);
  expect(total(await scrape(port), 'tfa_runs', { ...queue, status: 'awaiting_approval' })).toBe(1);

  await handle.signal(approveSignal, { by: 'erin' });
  await handle.result();
  const samples = await eventually(async () => {
    const scraped = await scrape(port);
    return total(scraped, 'tfa_approvals_waiting', queue) === 0 &&
      total(scraped, 'tfa_runs_ended', { status: 'completed' }) === 1
      ? scraped
      : undefined;
  }, 30_000);

  const agent = { agent: 'deploybot' };
  expect(total(samples, 'tfa_runs_started', { ...agent, ...queue, workflowType: 'agentWorkflow' })).toBe(1);
  expect(total(samples, 'tfa_approvals_requested', { ...agent, tool: 'deploy_to_production' })).toBe(1);
  expect(
    total(samples, 'tfa_approvals_decided', { ...agent, tool: 'deploy_to_production', decision: 'approved' }),
  ).toBe(1);
  expect(total(samples, 'tfa_approval_wait_seconds_count', { ...agent, decision: 'approved' })).toBe(1);
  expect(total(samples, 'tfa_approval_wait_seconds_sum')).toBeGreaterThanOrEqual(0);
  expect(total(samples, 'tfa_errors', { ...agent, source: 'model', code: 'no_tool_call' })).toBe(1);
  expect(total(samples, 'tfa_model_calls', { ...agent, outcome: 'ok' })).toBe(4);
  expect(total(samples, 'tfa_model_calls', { ...agent, outcome: 'invalid_output', code: 'no_tool_call' })).toBe(1);
  // Made in model activities and, after a tool, in that tool's activity: both carry the SDK's tags.
  expect(
    total(samples, 'tfa_model_calls', { ...queue, activityType: 'chooseNextTool' }) +
      total(samples, 'tfa_model_calls', { ...queue, activityType: 'executeTool' }),
  ).toBe(5);
  const inputTokens = total(samples, 'tfa_model_input_tokens', agent);
  expect(inputTokens).toBeGreaterThan(5 * 100); // five prompts with DeployBot's instructions and context
  expect(total(samples, 'tfa_model_output_tokens', agent)).toBeGreaterThan(0);
  // The scripted model simulates prompt caching: later prompts repeat the instructions and tools of earlier ones.
  const cachedTokens = total(samples, 'tfa_model_cached_input_tokens', agent);
  expect(cachedTokens).toBeGreaterThan(0);
  expect(cachedTokens).toBeLessThan(inputTokens);
  expect(total(samples, 'tfa_runs', { ...queue, status: 'awaiting_approval' })).toBe(0);
  // Temporal's own worker metrics come out of the same endpoint.
  expect(total(samples, 'temporal_workflow_completed', { task_queue: taskQueue })).toBeGreaterThanOrEqual(1);
  expect(total(samples, 'temporal_activity_execution_latency_count', { task_queue: taskQueue })).toBeGreaterThanOrEqual(
    6,
  );

  // A query of the ended run makes the worker replay its whole history: the SDK emits no workflow metric while replaying.
  await handle.query(threadQuery);
  const afterReplay = await scrape(port);
  expect(total(afterReplay, 'tfa_runs_started', agent)).toBe(1);
  expect(total(afterReplay, 'tfa_approvals_decided', agent)).toBe(1);
  expect(total(afterReplay, 'tfa_errors', agent)).toBe(1);
  expect(total(afterReplay, 'tfa_runs_ended', agent)).toBe(1);

  // tfa status: the same tokens, priced by config/prices.json (the scripted model answers as the model asked for).
  const { stdout } = await runTfa(['status', handle.workflowId], { TEMPORAL_ADDRESS: testServerAddress() });
  const line = stdout.split('\n').find((text) => text.startsWith('tokens: '));
  expect(line).toMatch(
    new RegExp(
      `^tokens: 5 model calls, ${inputTokens.toLocaleString('en-US')} in \\(${cachedTokens.toLocaleString('en-US')} cached\\), [\\d,]+ out; cost \\$0\\.\\d{6}$`,
    ),
  );
}, 120_000);

test('metric labels stay a bounded set: the model names a hostile endpoint reports are not labels, and its negative usage fails no model call', async () => {
  const reported = (index: number, usage: unknown) => ({ model: `attacker-chosen-${index}-${'x'.repeat(100)}`, usage });
  model = await startScriptedModelServer({
    script: [
      completionReporting(
        'list_releases',
        { environment: 'staging' },
        reported(1, { prompt_tokens: -5, completion_tokens: 1.5 }),
      ),
      completionReporting(
        'list_releases',
        { environment: 'staging' },
        reported(2, { prompt_tokens: 10, completion_tokens: 5 }),
      ),
      completionReporting(
        'done_for_now',
        { message: 'listed' },
        reported(3, { prompt_tokens: 20, completion_tokens: 5 }),
      ),
    ],
  });
  fixture = await createDeployFixture();
  connection = await Connection.connect({ address: testServerAddress() });
  const client = new Client({ connection });
  const taskQueue = `metrics-hostile-${Date.now()}`;
  const port = await freePort();
  await startWorker(taskQueue, port);

  const handle = await client.workflow.start(AGENT_WORKFLOW_TYPE, {
    taskQueue,
    workflowId: `metrics-hostile-${Date.now()}`,
    args: [{ agent: 'deploybot', message: 'list the releases' }],
  });
  expect(await handle.result()).toMatchObject({ status: 'completed' });
  // Each of the three answers became a step: none was lost to a retry because its usage could not be counted.
  expect((await handle.query(threadQuery)).events.filter((event) => event.type === 'tool_call')).toHaveLength(3);
  const samples = await eventually(async () => {
    const scraped = await scrape(port);
    return total(scraped, 'tfa_model_calls', { taskQueue }) === 3 ? scraped : undefined;
  }, 30_000);
  const modelLabels = new Set(
    samples.filter((sample) => sample.name.startsWith('tfa_model_')).map((sample) => sample.labels.model),
  );
  expect([...modelLabels]).toEqual([DEFAULT_MODEL]);
  expect(total(samples, 'tfa_model_input_tokens', { taskQueue })).toBe(30);
}, 120_000);
