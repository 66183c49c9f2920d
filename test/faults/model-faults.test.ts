import { AGENT_WORKFLOW_TYPE } from '../../core/constants';
import { threadQuery } from '../../workflows/messages';
import { callTool, type ScriptedReply } from '../../scripts/scripted-model/server';
import { startHarness, type Harness } from '../support/workflow-harness';
import { recordFaultRow } from './fault-table';
import { DEFINED_END_STATES, waitForAll } from './run-checks';
import { scanHistories } from './secrets';

// The model fault matrix: each case is one DeployBot run whose model endpoint misbehaves as
// scripted, then answers; all cases run side by side on one worker. Every run must end in a
// defined state (or wait for a person on purpose); none may be left running with nothing to wait for.

const done = callTool('done_for_now', { message: 'finished despite the fault' });
const refusal: ScriptedReply = {
  status: 200,
  body: {
    id: 'chatcmpl-refusal',
    object: 'chat.completion',
    created: 0,
    model: 'scripted-model (simulated, not an LLM)',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: null, refusal: 'I cannot help with deployments.' },
        logprobs: null,
        finish_reason: 'stop',
      },
    ],
    usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
  },
};
const truncatedBody: ScriptedReply = {
  status: 200,
  body: '{"id":"chatcmpl-cut","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","tool_calls":[{"id":"call_cut","type":"function","function":{"name":"done_for_now","arguments":"{\\"mess',
};

/** Each case: what the endpoint does first, and the state the run must end in. */
const CASES: Array<{ name: string; faults: ScriptedReply[]; ends: string }> = [
  { name: '429 with Retry-After', faults: [{ status: 429, headers: { 'retry-after': '1' } }], ends: 'completed' },
  { name: '500', faults: [{ status: 500 }], ends: 'completed' },
  { name: 'timeout (reply after the 5 s client timeout)', faults: [{ delayMs: 6_000, then: done }], ends: 'completed' },
  { name: 'truncated response body', faults: [truncatedBody], ends: 'completed' },
  { name: 'truncated tool arguments', faults: [callTool('deploy_to_staging', '{"ref": "ma')], ends: 'completed' },
  { name: 'unknown tool', faults: [callTool('launch_missiles', {})], ends: 'completed' },
  { name: 'invalid arguments', faults: [callTool('run_tests', { environment: 'moon' })], ends: 'completed' },
  { name: 'refusal', faults: [refusal], ends: 'completed' },
  { name: '401', faults: [{ status: 401 }], ends: 'completed' },
  { name: '401 every time', faults: [{ status: 401 }, { status: 401 }, { status: 401 }], ends: 'needs_human' },
  {
    name: 'invalid output every time',
    faults: [callTool('launch_missiles', {}), refusal, callTool('run_tests', {})],
    ends: 'needs_human',
  },
];

let harness: Harness;
afterAll(async () => harness?.close());

test('every model fault ends its run in a defined state, none stuck, no secret in any history', async () => {
  const queues = CASES.map((fault) => [...fault.faults]);
  harness = await startHarness({
    responder: ({ messages }) => {
      const index = Number(/fault case (\d+)/.exec(JSON.stringify(messages))?.[1]);
      return queues[index]?.shift() ?? done;
    },
  });
  const prefix = `faults-model-${process.pid}-${Date.now()}`;
  const handles = await Promise.all(
    CASES.map((fault, index) =>
      harness.client.workflow.start(AGENT_WORKFLOW_TYPE, {
        taskQueue: harness.taskQueue,
        workflowId: `${prefix}-${index}`,
        args: [{ agent: 'deploybot', message: `fault case ${index} (${fault.name}): deploy main to staging` }],
      }),
    ),
  );
  const stuck = await waitForAll(handles, (state) => DEFINED_END_STATES.has(state.status), 120_000);

  const ended: Record<string, string> = {};
  for (const [index, handle] of handles.entries()) {
    const { state } = await handle.query(threadQuery);
    ended[CASES[index]!.name] = state.status;
  }
  const { leaks } = await scanHistories(
    harness.client,
    handles.map((handle) => handle.workflowId),
  );
  recordFaultRow({
    scenario:
      'model fault matrix (429, 500, timeout, truncated, unknown tool, invalid args, refusal, 401; 2 end in needs_human by design)',
    runs: CASES.length,
    completed: Object.values(ended).filter((status) => status === 'completed').length,
    duplicates: 0,
    lost: 0,
    stuck: stuck.size,
    refused: 0,
    secrets: leaks.length,
  });
  expect(stuck).toEqual(new Set());
  expect(ended).toEqual(Object.fromEntries(CASES.map((fault) => [fault.name, fault.ends])));
  expect(leaks).toEqual([]);
}, 180_000);
