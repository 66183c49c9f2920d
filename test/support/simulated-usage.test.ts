import OpenAI from 'openai';
import { countTokensO200k } from '../../core/tokens';
import { startScriptedModelServer, type ScriptedModelServer } from '../../scripts/scripted-model/server';

let server: ScriptedModelServer | undefined;
afterEach(async () => server?.close());

const TOOLS = [
  {
    type: 'function' as const,
    function: { name: 'deploy_to_staging', parameters: { type: 'object', properties: {} } },
  },
];

function ask(client: OpenAI, system: string, user: string) {
  return client.chat.completions.create({
    model: 'gpt-4o-mini',
    messages: [
      { role: 'system', content: system },
      { role: 'user', content: user },
    ],
    tools: TOOLS,
  });
}

describe("the scripted model's usage (simulated)", () => {
  it('counts what it receives with the o200k tokenizer, in the fields the real API uses', async () => {
    server = await startScriptedModelServer({ script: [{ toolCall: { name: 'deploy_to_staging', arguments: {} } }] });
    const completion = await ask(
      new OpenAI({ baseURL: server.baseURL, apiKey: 'test', maxRetries: 0 }),
      'You deploy.',
      'deploy main',
    );
    const usage = completion.usage!;
    const content =
      countTokensO200k('system') +
      countTokensO200k('You deploy.') +
      countTokensO200k('user') +
      countTokensO200k('deploy main');
    expect(usage.prompt_tokens).toBe(countTokensO200k(JSON.stringify(TOOLS)) + content + 2 * 3 + 3);
    expect(usage.completion_tokens).toBeGreaterThan(0);
    expect(usage.total_tokens).toBe(usage.prompt_tokens + usage.completion_tokens);
    expect(usage.prompt_tokens_details?.cached_tokens).toBe(0);
    expect(completion.system_fingerprint).toBe('scripted');
  });

  it("reports a repeated long prefix as cached, in 128-token blocks, as OpenAI's prompt cache does", async () => {
    const reply = { toolCall: { name: 'deploy_to_staging', arguments: {} } };
    server = await startScriptedModelServer({ script: [reply, reply, reply] });
    const client = new OpenAI({ baseURL: server.baseURL, apiKey: 'test', maxRetries: 0 });
    const longInstructions = 'Deploy carefully and check every release twice. '.repeat(200);
    const first = await ask(client, longInstructions, 'deploy main');
    const second = await ask(client, longInstructions, 'deploy v2');
    const short = await ask(client, 'short', 'short');
    expect(first.usage!.prompt_tokens).toBeGreaterThan(1_024);
    expect(first.usage!.prompt_tokens_details?.cached_tokens).toBe(0);
    const cached = second.usage!.prompt_tokens_details!.cached_tokens!;
    expect(cached % 128).toBe(0);
    expect(cached).toBeGreaterThan(1_024 - 128);
    expect(cached).toBeLessThan(second.usage!.prompt_tokens);
    expect(short.usage!.prompt_tokens_details?.cached_tokens).toBe(0);
  });
});
