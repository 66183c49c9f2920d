import OpenAI from 'openai';
import { driveAgent } from './demo-responders/synthetic-thread';
import {
  deploybotDemoResponder,
  SIMULATED_MODEL_NAME,
  startScriptedModelServer,
  type ScriptedModelServer,
} from '../../scripts/scripted-model/server';

const TOOLS = [
  {
    type: 'function' as const,
    function: { name: 'deploy_to_staging', parameters: { type: 'object', properties: {} } },
  },
];

let server: ScriptedModelServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

function clientFor(running: ScriptedModelServer, timeout?: number): OpenAI {
  return new OpenAI({ baseURL: running.baseURL, apiKey: 'test', maxRetries: 0, ...(timeout ? { timeout } : {}) });
}

function ask(client: OpenAI, text = 'hello') {
  return client.chat.completions.create({
    model: 'gpt-test',
    messages: [{ role: 'user', content: text }],
    tools: TOOLS,
  });
}

async function rawPost(url: string, body: string): Promise<{ status: number; json: any }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  return { status: response.status, json: await response.json() };
}

describe('scripted model server', () => {
  it('round-trips a scripted tool call whose arguments parse back to the scripted object', async () => {
    server = await startScriptedModelServer({
      script: [{ toolCall: { name: 'deploy_to_staging', arguments: { ref: 'main' } } }],
    });
    const completion = await ask(clientFor(server));
    const choice = completion.choices[0]!;
    expect(choice.finish_reason).toBe('tool_calls');
    expect(choice.message.content).toBeNull();
    const call = choice.message.tool_calls![0]!;
    expect(call).toMatchObject({ id: 'call_1', type: 'function', function: { name: 'deploy_to_staging' } });
    expect(call.type === 'function' && JSON.parse(call.function.arguments)).toEqual({ ref: 'main' });
    expect(completion.system_fingerprint).toBe('scripted');
    expect(completion.usage!.total_tokens).toBeGreaterThan(0);
  });

  it('sends several tool calls in one message and raw argument text untouched', async () => {
    server = await startScriptedModelServer({
      script: [
        {
          toolCalls: [
            { name: 'a', arguments: { x: 1 } },
            { name: 'b', arguments: '{not json' },
          ],
        },
      ],
    });
    const calls = (await ask(clientFor(server))).choices[0]!.message.tool_calls!;
    expect(calls.map((call) => call.id)).toEqual(['call_1', 'call_2']);
    expect(calls.map((call) => call.type === 'function' && call.function.arguments)).toEqual(['{"x":1}', '{not json']);
  });

  it('answers a text reply with finish_reason stop and labels itself simulated when no model is asked for', async () => {
    server = await startScriptedModelServer({ script: [{ text: 'hi there' }] });
    const { json } = await rawPost(`${server.baseURL}/chat/completions`, JSON.stringify({ messages: [] }));
    expect(json.choices[0]).toMatchObject({
      finish_reason: 'stop',
      message: { role: 'assistant', content: 'hi there' },
    });
    expect(json.model).toBe(SIMULATED_MODEL_NAME);
  });

  it('also serves the path without the /v1 prefix', async () => {
    server = await startScriptedModelServer({ script: [{ text: 'ok' }] });
    const root = server.baseURL.replace(/\/v1$/, '');
    expect((await rawPost(`${root}/chat/completions`, '{"messages":[]}')).status).toBe(200);
  });

  it('surfaces a scripted 429 as the SDK RateLimitError', async () => {
    server = await startScriptedModelServer({ script: [{ status: 429 }] });
    await expect(ask(clientFor(server))).rejects.toBeInstanceOf(OpenAI.RateLimitError);
  });

  it('surfaces a scripted 500 as the SDK InternalServerError', async () => {
    server = await startScriptedModelServer({ script: [{ status: 500 }] });
    await expect(ask(clientFor(server))).rejects.toBeInstanceOf(OpenAI.InternalServerError);
  });

  it('makes the client throw when the body is not JSON', async () => {
    server = await startScriptedModelServer({ script: [{ malformedBody: true }] });
    await expect(ask(clientFor(server))).rejects.toThrow();
  });

  it('fails loudly with a 500 naming the request count once the script is exhausted', async () => {
    server = await startScriptedModelServer({ script: [{ text: 'only one' }] });
    const client = clientFor(server);
    await ask(client);
    const failure = ask(client);
    await expect(failure).rejects.toBeInstanceOf(OpenAI.InternalServerError);
    await expect(failure).rejects.toThrow('scripted model server: script exhausted after 1 requests');
  });

  it('rejects a body without a messages array, or not JSON, with a 400 error JSON', async () => {
    server = await startScriptedModelServer({ script: [{ text: 'unused' }] });
    const url = `${server.baseURL}/chat/completions`;
    const missing = await rawPost(url, '{"model":"x"}');
    const garbage = await rawPost(url, 'nope');
    expect(missing.status).toBe(400);
    expect(missing.json.error).toMatchObject({
      type: 'invalid_request_error',
      message: expect.stringContaining('messages'),
    });
    expect(garbage.status).toBe(400);
    expect(server.remaining()).toBe(1);
  });

  it('records every request in order, with headers, and counts the remaining script', async () => {
    server = await startScriptedModelServer({ script: [{ text: 'one' }] });
    server.enqueue({ text: 'two' }, { text: 'three' });
    const client = clientFor(server);
    await ask(client, 'first');
    await ask(client, 'second');
    expect(server.remaining()).toBe(1);
    expect(server.requests.map((record) => record.body.messages[0].content)).toEqual(['first', 'second']);
    expect(server.requests[0]!.headers['authorization']).toBe('Bearer test');
  });

  it('lets a delayed reply trip the client timeout and still closes promptly', async () => {
    server = await startScriptedModelServer({ script: [{ delayMs: 10_000, then: { text: 'too late' } }] });
    const startedAt = Date.now();
    // Plain Node gives APIConnectionTimeoutError; under Jest the abort DOMException comes from another
    // realm and the SDK reports its parent class, so assert the parent.
    await expect(ask(clientFor(server, 100))).rejects.toBeInstanceOf(OpenAI.APIConnectionError);
    await server.close();
    server = undefined;
    expect(Date.now() - startedAt).toBeLessThan(2_000);
  });

  it('asks the responder once the script is used up', async () => {
    server = await startScriptedModelServer({
      script: [{ text: 'scripted' }],
      responder: ({ messages, tools }) => ({
        text: `responder saw ${messages.length} message(s), ${tools.length} tool(s)`,
      }),
    });
    const client = clientFor(server);
    expect((await ask(client)).choices[0]!.message.content).toBe('scripted');
    expect((await ask(client)).choices[0]!.message.content).toBe('responder saw 1 message(s), 1 tool(s)');
  });
});

describe('demo responder end to end: rendered context, chooseNextTool, real SDK (simulated policies)', () => {
  const suites = [
    { suite: 'unit', command: 'npm test' },
    { suite: 'smoke', command: 'npm run smoke' },
  ];
  const suiteRun = ({ suite }: Record<string, unknown>) => ({
    output: {
      environment: 'staging',
      sha: 'abc123',
      suite,
      passed: suite === 'unit',
      exitCode: suite === 'unit' ? 0 : 1,
      output: 'tail',
    },
  });

  it('still answers DeployBot in one request (the request names its tools)', async () => {
    server = await startScriptedModelServer({ responder: deploybotDemoResponder() });
    const context =
      '<user_message by="alice">deploy v1.2.3</user_message>\n<tool_result tool="deploy_to_staging">{"sha":"abc"}</tool_result>';
    const call = (await ask(clientFor(server), context)).choices[0]!.message.tool_calls![0]!;
    expect(call.type === 'function' && [call.function.name, JSON.parse(call.function.arguments)]).toEqual([
      'run_tests',
      { environment: 'staging' },
    ]);
  });

  it('drives the pipeline: tester, notifier, then a deployer whose deploy is rejected', async () => {
    server = await startScriptedModelServer({ responder: deploybotDemoResponder() });
    const drive = driveAgent.bind(null, clientFor(server));
    const sha = 'abc123'.padEnd(40, '0');
    const tested = await drive(
      'tester',
      `Test release ${sha} (ref main): pass sha "${sha}" to list_test_suites and run_test_suite.`,
      { list_test_suites: () => ({ output: suites }), run_test_suite: suiteRun },
    );
    expect(tested.map(([tool, args]) => `${tool} ${JSON.stringify(args)}`)).toEqual([
      `list_test_suites {"sha":"${sha}"}`,
      `run_test_suite {"sha":"${sha}","suite":"unit"}`,
      `run_test_suite {"sha":"${sha}","suite":"smoke"}`,
      'report_test_results {"passed":false,"summary":"2 suite(s) ran: 1 passed, 1 failed (smoke)"}',
    ]);
    const alert =
      'Pipeline for ref main (requested by alice) needs attention: tests failed on staging for release abc123';
    const notified = await drive('notifier', alert, {
      send_notification: () => ({ output: { sent: true, channel: 'console' } }),
    });
    expect(notified).toEqual([
      ['send_notification', { severity: 'critical', title: 'Deploy pipeline needs attention', message: alert }],
      ['finish_notifying', { message: 'Alert sent.' }],
    ]);
    const deployTask =
      'Deploy release abc123 (ref main, use the SHA as the ref) to production. Staging tests passed: 1 suite(s) ran';
    const deployed = await drive('deployer', deployTask, {
      deploy_to_production: () => ({ rejectedBy: 'bob', reason: 'change freeze' }),
    });
    expect(deployed).toEqual([
      ['deploy_to_production', { ref: 'abc123' }],
      ['finish_deploy', { deployed: false, message: 'Rejected: change freeze' }],
    ]);
  });

  it('drives triage and the reporter to their reports', async () => {
    server = await startScriptedModelServer({ responder: deploybotDemoResponder() });
    const drive = driveAgent.bind(null, clientFor(server));
    const listed = {
      environment: 'staging',
      runs: [
        { suite: 'unit', sha: 'abc', passed: true },
        { suite: 'smoke', sha: 'abc', passed: false, exitCode: 1 },
      ],
    };
    const triaged = await drive('triage', 'draft an issue', {
      list_test_runs: () => ({ output: listed }),
      read_test_output: () => ({
        output: { environment: 'staging', suite: 'smoke', passed: false, output: 'status.txt is not ok' },
      }),
    });
    expect(triaged.map(([tool]) => tool)).toEqual(['list_test_runs', 'read_test_output', 'draft_issue']);
    expect(triaged[2]![1]).toMatchObject({
      title: 'Test suite smoke fails on staging',
      body: expect.stringContaining('status.txt is not ok'),
    });
    const runs = [
      { workflowId: 'deploy-1', type: 'deployWorkflow', executionStatus: 'RUNNING', status: 'awaiting_approval' },
    ];
    const reported = await drive('reporter', 'daily report', {
      list_runs: () => ({ output: { hours: 24, count: 1, truncated: false, runs } }),
    });
    expect(reported.at(-1)).toEqual([
      'publish_report',
      { summary: '1 runs in the last 24 h: 1 RUNNING.', highlights: ['deploy-1: RUNNING (awaiting_approval)'] },
    ]);
  });
});
