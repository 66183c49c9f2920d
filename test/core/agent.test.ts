import { z } from 'zod';
import { defineAgent, findTool, type AgentDefinition } from '../../core/agent';
import { definePrompt } from '../../core/prompt';
import { defineTool, nonEmptyText, type ToolDefinition } from '../../core/tools';

const prompt = definePrompt({ variables: ['agent', 'tools'], template: '{{agent}}: {{tools}}' });
const tool = (name: string, kind: ToolDefinition['kind'] = 'immediate'): ToolDefinition =>
  defineTool({ name, description: `does ${name}`, parameters: z.object({}), kind });

function agent(overrides: Partial<AgentDefinition> = {}): AgentDefinition {
  return {
    name: 'testbot',
    description: 'a test agent',
    prompt,
    tools: [tool('look'), tool('finish', 'terminal')],
    maxSteps: 5,
    errorThreshold: 3,
    ...overrides,
  };
}

describe('defineAgent', () => {
  it('returns a frozen copy of a valid agent', () => {
    const input = agent();
    const defined = defineAgent(input);
    expect(defined).toEqual(input);
    expect(defined).not.toBe(input);
    expect(Object.isFrozen(defined)).toBe(true);
  });

  it('refuses a tool defined twice, naming it', () => {
    expect(() => defineAgent(agent({ tools: [tool('look'), tool('look'), tool('finish', 'terminal')] }))).toThrow(
      'Agent "testbot" defines tool "look" twice.',
    );
  });

  it('refuses an agent without a terminal tool', () => {
    expect(() => defineAgent(agent({ tools: [tool('look'), tool('ask', 'human'), tool('ship', 'approval')] }))).toThrow(
      'Agent "testbot" needs a terminal tool',
    );
  });

  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('refuses maxSteps %p', (maxSteps) => {
    expect(() => defineAgent(agent({ maxSteps }))).toThrow(
      `Agent "testbot" maxSteps must be a positive integer, got ${maxSteps}.`,
    );
  });

  it('accepts maxSteps of 1', () => {
    expect(defineAgent(agent({ maxSteps: 1 })).maxSteps).toBe(1);
  });
});

describe('findTool', () => {
  it('finds a tool by name and returns undefined for an unknown one', () => {
    const defined = defineAgent(agent());
    expect(findTool(defined, 'finish')?.kind).toBe('terminal');
    expect(findTool(defined, 'nope')).toBeUndefined();
  });
});

describe('defineTool', () => {
  it('returns a frozen copy of a valid tool', () => {
    const defined = tool('deploy_to_staging');
    expect(defined.name).toBe('deploy_to_staging');
    expect(Object.isFrozen(defined)).toBe(true);
  });

  it.each(['DeployNow', 'deploy-now', '1deploy', '_deploy', '', 'deploy now', 'déployer', 'a'.repeat(65)])(
    'refuses the tool name %p',
    (name) => {
      expect(() => tool(name)).toThrow(`Tool name "${name}" must be snake_case (a-z, 0-9, _), at most 64 characters.`);
    },
  );

  it('accepts snake_case names up to 64 characters', () => {
    expect(() => tool('a')).not.toThrow();
    expect(() => tool(`a${'_9'.repeat(31)}b`)).not.toThrow();
    expect(() => tool('a'.repeat(64))).not.toThrow();
  });

  it('refuses a blank description', () => {
    expect(() =>
      defineTool({ name: 'look', description: '  \n', parameters: z.object({}), kind: 'immediate' }),
    ).toThrow('Tool "look" needs a description');
  });
});

describe('nonEmptyText', () => {
  it('accepts text and refuses empty or blank strings', () => {
    const schema = nonEmptyText();
    expect(schema.safeParse('main').success).toBe(true);
    expect(schema.safeParse('').success).toBe(false);
    expect(schema.safeParse(' \t').success).toBe(false);
    expect(schema.safeParse(3).success).toBe(false);
  });
});
