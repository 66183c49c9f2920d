import { z } from 'zod';
import { deploybot } from '../../agents/deploybot';
import { defineAgent, type AgentDefinition } from '../../core/agent';
import { renderContext } from '../../core/context';
import { definePrompt } from '../../core/prompt';
import { replay } from '../../core/reducer';
import { countTokensO200k } from '../../core/tokens';
import { defineTool } from '../../core/tools';
import type { NewEvent } from '../../core/thread';
import { eventFactory, toolCall, toolResult } from './support/events';

const environment = z.object({ environment: z.enum(['staging', 'production']) });
const listReleases = defineTool({
  name: 'list_releases',
  description: 'lists releases',
  parameters: environment,
  kind: 'immediate',
  readOnly: true,
});
const runTests = defineTool({
  name: 'run_tests',
  description: 'runs tests',
  parameters: environment,
  kind: 'immediate',
});
const finish = defineTool({ name: 'finish', description: 'ends', parameters: z.object({}), kind: 'terminal' });

function agentWith(contextLoaders: AgentDefinition['contextLoaders']): AgentDefinition {
  return {
    name: 'testbot',
    description: 'a test agent',
    prompt: definePrompt({ variables: ['agent', 'tools'], template: '{{agent}}: {{tools}}' }),
    tools: [listReleases, runTests, finish],
    maxSteps: 5,
    errorThreshold: 3,
    contextLoaders,
  };
}

const staging = { name: 'staging_releases', tool: 'list_releases', args: { environment: 'staging' } };

describe('defineAgent with context loaders', () => {
  it('accepts a read-only tool of the agent with arguments its schema accepts', () => {
    expect(defineAgent(agentWith([staging])).contextLoaders).toEqual([staging]);
  });

  it('refuses a tool that acts, or one the agent does not have', () => {
    expect(() => defineAgent(agentWith([{ ...staging, tool: 'run_tests' }]))).toThrow(
      'context loader "staging_releases" needs a read-only tool of the agent, got "run_tests"',
    );
    expect(() => defineAgent(agentWith([{ ...staging, tool: 'list_tags' }]))).toThrow('got "list_tags"');
  });

  it('refuses arguments the tool refuses, and a loader name used twice', () => {
    expect(() => defineAgent(agentWith([{ ...staging, args: { environment: 'qa' } }]))).toThrow(
      'has arguments list_releases refuses',
    );
    expect(() => defineAgent(agentWith([staging, staging]))).toThrow('defines context loader "staging_releases" twice');
  });

  it('DeployBot pre-fetches the releases of staging and production', () => {
    expect(deploybot.contextLoaders?.map(({ tool, args }) => [tool, args])).toEqual([
      ['list_releases', { environment: 'staging' }],
      ['list_releases', { environment: 'production' }],
    ]);
  });
});

const started: NewEvent[] = [
  { type: 'run_started', agent: 'testbot', maxSteps: 5 },
  { type: 'user_message', text: 'ship main', by: 'alice' },
];
const loaded = (output: string, overrides: Partial<NewEvent> = {}): NewEvent =>
  ({
    type: 'context_loaded',
    loader: 'staging_releases',
    tool: 'list_releases',
    args: { environment: 'staging' },
    output,
    truncated: false,
    ...overrides,
  }) as NewEvent;

describe('context_loaded events', () => {
  it('are not model steps and do not touch the error count', () => {
    const stamp = eventFactory();
    const state = replay(
      [...started, loaded('[]'), loaded('', { output: undefined, unavailable: 'offline' })].map(stamp),
    );
    expect(state).toMatchObject({ step: 0, consecutiveErrors: 0, status: 'running' });
  });

  it('render like a tool result, with the tool and its arguments', () => {
    const stamp = eventFactory();
    const events = [...started, loaded('[{"sha":"abc","current":true}]')].map(stamp);
    const context = renderContext(replay(events), events);
    expect(context).toContain("<system_state step='1'");
    expect(context).toContain(
      "<context_loaded tool='list_releases' args='{environment: staging}'>[{sha: abc, current: true}]</context_loaded>",
    );
  });

  it('render a failed load as unavailable, with the reason', () => {
    const stamp = eventFactory();
    const failed = loaded('', {
      output: undefined,
      truncated: undefined,
      unavailable: 'list_releases failed: <offline>',
    });
    const events = [...started, failed].map(stamp);
    expect(renderContext(replay(events), events)).toContain(
      "<context_loaded tool='list_releases' args='{environment: staging}' unavailable='true'>list_releases failed: &lt;offline&gt;</context_loaded>",
    );
  });

  it('give way under a tight budget as older tool results do: cut to a head before anything is dropped', () => {
    const stamp = eventFactory();
    const long = JSON.stringify(Array.from({ length: 40 }, (_each, index) => ({ sha: `${index}`.padStart(40, 'f') })));
    const later = Array.from({ length: 3 }, (_each, index) => [
      toolCall(`call-${index}`, `read_${index}`),
      toolResult(`call-${index}`, `read_${index}`, long),
    ]).flat();
    const events = [...started, loaded(long), ...later].map(stamp);
    const context = renderContext(replay(events), events, { tokenBudget: 2_000, countTokens: countTokensO200k });
    expect(context).toMatch(/<context_loaded tool='list_releases' args='\{environment: staging\}' elided='\d+ chars'>/);
    expect(context).not.toContain('<elided events=');
  });
});
