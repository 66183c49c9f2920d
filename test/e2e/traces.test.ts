import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { bundleWorkflowCode } from '@temporalio/worker';
import {
  bundleTracesWorkflows,
  startTracing,
  TRACING_WORKFLOW_MODULES,
  type Tracing,
} from '../../activities/telemetry/tracing';
import { PAYLOAD_CONVERTER_PATH } from '../../worker/create-worker';
import { call, startTestGateway, TEST_TOKEN, type TestGateway } from '../client/gateway-fixture';
import { renderSpanTree, startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver';
import { startHarness, waitForState, type Harness } from '../support/workflow-harness';
import { testServerAddress } from '../support/test-server';
import { callTool } from '../../scripts/scripted-model/server';

const execFileAsync = promisify(execFile);
const root = path.resolve(__dirname, '../..');
const OTLP_SPAN_KIND = { server: 2, client: 3 };
const OTEL_VARIABLES = ['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_PROTOCOL'] as const;
const savedEnv = Object.fromEntries(OTEL_VARIABLES.map((name) => [name, process.env[name]]));

let receiver: OtlpReceiver;
let tracing: Tracing | undefined;
let harness: Harness | undefined;
let gateway: TestGateway | undefined;
let bundleDir: string;
let bundleCode: string;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = receiver.url;
  process.env.OTEL_EXPORTER_OTLP_PROTOCOL = 'http/json';
  tracing = await startTracing('tfa');
  // Tracing needs Temporal's workflow interceptors in the bundle; the shared bundle has none (tracing-off.test.ts).
  const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error };
  const bundle = await bundleWorkflowCode({
    workflowsPath: require.resolve('../../workflows'),
    payloadConverterPath: PAYLOAD_CONVERTER_PATH,
    workflowInterceptorModules: [...TRACING_WORKFLOW_MODULES],
    logger: quiet,
  });
  bundleCode = bundle.code;
  bundleDir = await fs.mkdtemp(path.join(os.tmpdir(), 'tfa-traced-bundle-'));
  await fs.writeFile(path.join(bundleDir, 'workflow-bundle.js'), bundle.code);
  harness = await startHarness({
    script: [callTool('deploy_to_production', { ref: 'main' }), callTool('done_for_now', { message: 'main is live' })],
    responder: () => callTool('done_for_now', { message: 'nothing to deploy' }), // the CLI's run
    tracing,
    workflowBundlePath: path.join(bundleDir, 'workflow-bundle.js'),
  });
  gateway = await startTestGateway({
    client: harness.client,
    taskQueue: harness.taskQueue,
    token: TEST_TOKEN,
    tracing,
  });
  await runDeployBotOverHttp();
  await launchWithTheCli();
  await exportEverySpan();
}, 180_000);

afterAll(async () => {
  await gateway?.close();
  await harness?.close();
  await tracing?.shutdown();
  await receiver?.close();
  await fs.rm(bundleDir, { recursive: true, force: true });
  for (const name of OTEL_VARIABLES) {
    if (savedEnv[name] === undefined) delete process.env[name];
    else process.env[name] = savedEnv[name];
  }
});

/** Worker and gateway stopped, then the SDK shut down: every span has been exported, with no waiting on a timer. */
async function exportEverySpan(): Promise<void> {
  await gateway!.close();
  gateway = undefined;
  await harness!.close(); // after the worker's shutdown every workflow span has passed through the sink
  harness = undefined;
  await tracing!.shutdown();
  tracing = undefined;
}

function only(spans: ReceivedSpan[], what: string): ReceivedSpan {
  if (spans.length !== 1)
    throw new Error(`expected one ${what}, found ${spans.length}: ${spans.map((span) => span.name).join(', ')}`);
  return spans[0]!;
}

function traceTools(trace: ReceivedSpan[]) {
  const childrenOf = (parent: ReceivedSpan, name: string | RegExp) =>
    trace.filter(
      (span) =>
        span.parentSpanId === parent.spanId && (typeof name === 'string' ? span.name === name : name.test(span.name)),
    );
  /** `StartActivity:<type>` spans under `parent`, each with its one `RunActivity:<type>` child. */
  const activityRuns = (parent: ReceivedSpan, type: string) =>
    childrenOf(parent, `StartActivity:${type}`).map((start) =>
      only(childrenOf(start, `RunActivity:${type}`), `RunActivity:${type}`),
    );
  return { childrenOf, activityRuns };
}

const showGenAi = (span: ReceivedSpan) =>
  Object.entries(span.attributes)
    .filter(([key]) => key.startsWith('gen_ai.') || key.startsWith('http.'))
    .map(([key, value]) => `${key}=${JSON.stringify(value)}`)
    .join(' ');

/** The one span named `name`, its trace (printed as a tree with TFA_PRINT_TRACE=1) and the helpers to walk it. */
function traceOf(name: string, show: (span: ReceivedSpan) => string = showGenAi) {
  const root = only(
    receiver.spans.filter((span) => span.name === name),
    `${name} span`,
  );
  const trace = receiver.spans.filter((span) => span.traceId === root.traceId);
  if (process.env.TFA_PRINT_TRACE) console.log(renderSpanTree(trace, show));
  return { root, trace, ...traceTools(trace) };
}

/** The scenario every test reads: launch DeployBot over HTTP, approve the deploy over HTTP, wait for the end. */
async function runDeployBotOverHttp(): Promise<void> {
  const launched = await call(gateway!, '/agents/deploybot/runs', {
    body: { message: 'deploy main to production', requestedBy: 'ci' },
  });
  if (launched.status !== 201) throw new Error(`launch answered ${launched.status}: ${JSON.stringify(launched.body)}`);
  const handle = harness!.client.workflow.getHandle(launched.body.workflowId);
  await waitForState(handle, (state) => state.status === 'awaiting_approval');
  const approved = await call(gateway!, `/runs/${handle.workflowId}/approve`, { body: { by: 'alice' } });
  if (approved.status !== 200) throw new Error(`approve answered ${approved.status}: ${JSON.stringify(approved.body)}`);
  const result = await handle.result();
  if (result.status !== 'completed') throw new Error(`the run ended ${result.status}`);
}

/** `tfa launch` in its own process, as a user runs it; tracing on through the inherited OTEL_* variables. */
async function launchWithTheCli(): Promise<void> {
  const env = { ...process.env, TEMPORAL_ADDRESS: testServerAddress(), TFA_TASK_QUEUE: harness!.taskQueue };
  const { stdout } = await execFileAsync(
    process.execPath,
    [path.join(root, 'scripts/tfa.cjs'), 'launch', 'deploybot', 'what is deployed?'],
    { cwd: root, env },
  );
  const result = await harness!.client.workflow.getHandle(stdout.trim()).result();
  if (result.status !== 'completed') throw new Error(`the CLI's run ended ${result.status}`);
}

test('a DeployBot run launched over HTTP is one trace: the request, the workflow, each model call and each tool', () => {
  const { root: request, trace, childrenOf, activityRuns } = traceOf('POST /agents/:agent/runs');
  expect(request).toMatchObject({
    service: 'tfa',
    kind: OTLP_SPAN_KIND.server,
    attributes: { 'http.route': '/agents/:agent/runs', 'http.response.status_code': 201 },
  });
  // One root, and every other span's parent is in the same trace.
  expect(trace.filter((span) => !span.parentSpanId)).toEqual([request]);
  const ids = new Set(trace.map((span) => span.spanId));
  expect(trace.filter((span) => span.parentSpanId && !ids.has(span.parentSpanId))).toEqual([]);

  const start = only(childrenOf(request, 'StartWorkflow:agentWorkflow'), 'StartWorkflow');
  const run = only(childrenOf(start, 'RunWorkflow:agentWorkflow'), 'RunWorkflow');

  // The first decision in the model activity; the next one in the deploy's own activity, after the deploy.
  const chats = [...activityRuns(run, 'chooseNextTool'), ...activityRuns(run, 'executeTool')].flatMap((decision) =>
    childrenOf(decision, /^chat /),
  );
  expect(chats).toHaveLength(2);
  for (const chat of chats) {
    expect(chat.kind).toBe(OTLP_SPAN_KIND.client);
    expect(chat.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': expect.any(String),
      'gen_ai.response.id': expect.stringMatching(/^chatcmpl-/),
      'gen_ai.response.finish_reasons': ['tool_calls'],
      'gen_ai.usage.input_tokens': expect.any(Number),
      'gen_ai.usage.output_tokens': expect.any(Number),
      'server.address': '127.0.0.1',
    });
    expect(chat.name).toBe(`chat ${chat.attributes['gen_ai.request.model']}`);
    expect(chat.attributes['gen_ai.usage.input_tokens']).toBeGreaterThan(0);
  }

  const tools = activityRuns(run, 'executeTool').flatMap((execution) => childrenOf(execution, /^execute_tool /));
  // DeployBot's two context loaders run list_releases before the first model call.
  expect(tools.map((span) => span.name).sort()).toEqual([
    'execute_tool deploy_to_production',
    'execute_tool list_releases',
    'execute_tool list_releases',
  ]);
  const tool = only(
    tools.filter((span) => span.name === 'execute_tool deploy_to_production'),
    'tool span',
  );
  expect(tool).toMatchObject({
    name: 'execute_tool deploy_to_production',
    attributes: {
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'deploy_to_production',
      'gen_ai.tool.call.id': expect.any(String),
    },
  });
});

test('the approval is its own trace: the HTTP request, the update it sends and the workflow handling it', () => {
  const { root: approval, trace, childrenOf } = traceOf('POST /runs/:id/approve');
  expect(trace.filter((span) => !span.parentSpanId)).toEqual([approval]);
  const update = only(childrenOf(approval, 'StartWorkflowUpdate:decide'), 'StartWorkflowUpdate');
  expect(childrenOf(update, 'HandleUpdate:decide')).toHaveLength(1);
});

test('a run launched by the tfa CLI is one trace across processes: the command, the start, the workflow on the worker', () => {
  const {
    root: command,
    childrenOf,
    activityRuns,
  } = traceOf('tfa launch', (span) => `[${span.service}] ${showGenAi(span)}`);
  expect(command).toMatchObject({ service: 'tfa-cli' });
  expect(command.parentSpanId).toBeUndefined();
  const start = only(childrenOf(command, 'StartWorkflow:agentWorkflow'), 'StartWorkflow');
  expect(start.service).toBe('tfa-cli');
  const run = only(childrenOf(start, 'RunWorkflow:agentWorkflow'), 'RunWorkflow');
  expect(run.service).toBe('tfa');
  const chat = only(
    activityRuns(run, 'chooseNextTool').flatMap((decision) => childrenOf(decision, /^chat /)),
    'chat span',
  );
  expect(chat.attributes['gen_ai.usage.output_tokens']).toEqual(expect.any(Number));
});

test("the traced bundle carries Temporal's workflow interceptors, so a traced worker keeps it", () => {
  expect(bundleTracesWorkflows({ code: bundleCode })).toBe(true);
});
