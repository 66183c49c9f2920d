import OpenAI from 'openai';
import {
  deploybotDemoResponder,
  SIMULATED_MODEL_NAME,
  startScriptedModelServer,
  type ScriptedModelServer,
  type ScriptedReply,
} from './scripted-model-server';

const TOOLS = [
  { type: 'function' as const, function: { name: 'deploy_to_staging', parameters: { type: 'object', properties: {} } } },
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
  return client.chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: text }], tools: TOOLS });
}

async function rawPost(url: string, body: string): Promise<{ status: number; json: any }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  return { status: response.status, json: await response.json() };
}

describe('scripted model server', () => {
  it('round-trips a scripted tool call whose arguments parse back to the scripted object', async () => {
    server = await startScriptedModelServer({ script: [{ toolCall: { name: 'deploy_to_staging', arguments: { ref: 'main' } } }] });
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
      script: [{ toolCalls: [{ name: 'a', arguments: { x: 1 } }, { name: 'b', arguments: '{not json' }] }],
    });
    const calls = (await ask(clientFor(server))).choices[0]!.message.tool_calls!;
    expect(calls.map((call) => call.id)).toEqual(['call_1', 'call_2']);
    expect(calls.map((call) => call.type === 'function' && call.function.arguments)).toEqual(['{"x":1}', '{not json']);
  });

  it('answers a text reply with finish_reason stop and labels itself simulated when no model is asked for', async () => {
    server = await startScriptedModelServer({ script: [{ text: 'hi there' }] });
    const { json } = await rawPost(`${server.baseURL}/chat/completions`, JSON.stringify({ messages: [] }));
    expect(json.choices[0]).toMatchObject({ finish_reason: 'stop', message: { role: 'assistant', content: 'hi there' } });
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
    expect(missing.json.error).toMatchObject({ type: 'invalid_request_error', message: expect.stringContaining('messages') });
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
      responder: ({ messages, tools }) => ({ text: `responder saw ${messages.length} message(s), ${tools.length} tool(s)` }),
    });
    const client = clientFor(server);
    expect((await ask(client)).choices[0]!.message.content).toBe('scripted');
    expect((await ask(client)).choices[0]!.message.content).toBe('responder saw 1 message(s), 1 tool(s)');
  });
});

describe('deploybot demo responder (simulated policy)', () => {
  const USER = '<user_message by="alice">deploy v1.2.3 to production</user_message>';
  const STAGED = '<tool_result tool="deploy_to_staging" call_id="c1">{"url":"https://staging"}</tool_result>';
  const PASSED = '<tool_result tool="run_tests" call_id="c2">{"passed":true,"failures":0}</tool_result>';
  const FAILED = '<tool_result tool="run_tests" call_id="c2">{"passed":false,"failures":3}</tool_result>';
  const REJECTED = '<approval_rejected by="bob" reason="change freeze until Monday"/>';
  const PRODUCED = '<tool_result tool="deploy_to_production" call_id="c3">{"ok":true}</tool_result>';

  function step(...elements: string[]): ScriptedReply {
    const responder = deploybotDemoResponder();
    const context = `<events>\n${elements.join('\n')}\n</events>`;
    return responder({ messages: [{ role: 'system', content: 'You are DeployBot' }, { role: 'user', content: context }], tools: [], body: {} });
  }

  it('walks staging, tests, production, then done', () => {
    expect(step(USER)).toEqual({ toolCall: { name: 'deploy_to_staging', arguments: { ref: 'v1.2.3' } } });
    expect(step(USER, STAGED)).toEqual({ toolCall: { name: 'run_tests', arguments: { environment: 'staging' } } });
    expect(step(USER, STAGED, PASSED)).toEqual({ toolCall: { name: 'deploy_to_production', arguments: { ref: 'v1.2.3' } } });
    expect(step(USER, STAGED, PASSED, PRODUCED)).toEqual({
      toolCall: { name: 'done_for_now', arguments: { message: 'Deployed v1.2.3 to production.' } },
    });
  });

  it('stops when tests fail', () => {
    expect(step(USER, STAGED, FAILED)).toEqual({
      toolCall: { name: 'done_for_now', arguments: { message: 'Tests failed on staging; not deploying v1.2.3 to production.' } },
    });
  });

  it('stays on staging when production is rejected, quoting the reason', () => {
    const reply = step(USER, STAGED, PASSED, REJECTED);
    expect(reply).toEqual({
      toolCall: {
        name: 'done_for_now',
        arguments: { message: 'Production deploy of v1.2.3 was rejected: change freeze until Monday. Staying on staging.' },
      },
    });
    const fromText = step(USER, STAGED, PASSED, '<approval_rejected by="bob">too risky today.</approval_rejected>');
    expect(JSON.stringify(fromText)).toContain('was rejected: too risky today. Staying');
  });

  it('defaults the ref to main when the request names none', () => {
    expect(step('<user_message>ship it</user_message>')).toEqual({
      toolCall: { name: 'deploy_to_staging', arguments: { ref: 'main' } },
    });
  });

  it('drives the real SDK through the server end to end', async () => {
    server = await startScriptedModelServer({ responder: deploybotDemoResponder() });
    const completion = await ask(clientFor(server), `${USER}\n${STAGED}`);
    const call = completion.choices[0]!.message.tool_calls![0]!;
    expect(call.type === 'function' && [call.function.name, JSON.parse(call.function.arguments)]).toEqual([
      'run_tests',
      { environment: 'staging' },
    ]);
  });
});
