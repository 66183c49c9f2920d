import OpenAI from 'openai';
import { createChooseNextTool } from '../../activities/choose-next-tool';
import { findAgent } from '../../agents';
import { renderModelInput } from '../../core/model-input';
import type { ThreadEvent } from '../../core/thread';
import { callTool, startScriptedModelServer, type ScriptedModelServer } from '../../scripts/scripted-model/server';

let model: ScriptedModelServer;
afterEach(async () => model?.close());

const events = [
  { id: 's', at: '2026-01-01T00:00:00.000Z', type: 'run_started', agent: 'deploybot', maxSteps: 30 },
  { id: 'u', at: '2026-01-01T00:00:00.000Z', type: 'user_message', text: 'list staging' },
] as ThreadEvent[];

interface SentTool {
  type: string;
  function: { name: string; parameters: { type: string; properties: Record<string, unknown> } };
}

test("every model call sends each of the agent's tools with its JSON Schema, the same on later calls", async () => {
  model = await startScriptedModelServer();
  const agent = findAgent('deploybot')!;
  const chooseNextTool = createChooseNextTool({
    openai: new OpenAI({ baseURL: model.baseURL, apiKey: 'scripted', maxRetries: 0 }),
  });
  const input = { agent: agent.name, ...renderModelInput(agent, events) };
  for (let call = 0; call < 3; call++) {
    model.enqueue(callTool('list_releases', { environment: 'staging' }));
    await chooseNextTool(input);
  }
  const sent = model.requests.map((request) => (request.body as { tools: SentTool[] }).tools);
  expect(sent[0]!.map((tool) => tool.function.name)).toEqual(agent.tools.map((tool) => tool.name));
  const listReleases = sent[0]!.find((tool) => tool.function.name === 'list_releases')!;
  expect(listReleases.type).toBe('function');
  expect(listReleases.function.parameters).toMatchObject({ type: 'object', properties: { environment: {} } });
  expect(sent[1]).toEqual(sent[0]);
  expect(sent[2]).toEqual(sent[0]);
});
