import { zodFunction } from 'openai/helpers/zod';
import { agents, findAgent } from '../../agents';
import { deploybot } from '../../agents/deploybot';
import { deploybotTools } from '../../agents/deploybot/tools';
import { findTool } from '../../core/agent';
import { renderPrompt } from '../../core/prompt';

/** The system prompt exactly as the workflow renders it. */
const renderedPrompt = () =>
  renderPrompt(deploybot.prompt, { agent: deploybot.name, tools: deploybot.tools.map((tool) => tool.name).join(', ') });

describe('deploybot agent', () => {
  it('is registered under its name', () => {
    expect(findAgent('deploybot')).toBe(deploybot);
    expect(Object.keys(agents)).toContain('deploybot');
  });

  it('does not find agents by inherited property names', () => {
    expect(findAgent('toString')).toBeUndefined();
    expect(findAgent('__proto__')).toBeUndefined();
    expect(findAgent('DeployBot')).toBeUndefined();
  });

  it('keeps its step limit within the micro-agent range and escalates after three errors', () => {
    expect(deploybot.maxSteps).toBeGreaterThanOrEqual(3);
    expect(deploybot.maxSteps).toBeLessThanOrEqual(20);
    expect(deploybot.errorThreshold).toBe(3);
  });

  it('gives each tool the intended kind', () => {
    expect(Object.fromEntries(deploybot.tools.map((tool) => [tool.name, tool.kind]))).toEqual({
      deploy_to_staging: 'immediate',
      run_tests: 'immediate',
      list_releases: 'immediate',
      deploy_to_production: 'approval',
      rollback: 'approval',
      request_human_input: 'human',
      done_for_now: 'terminal',
    });
    expect(deploybot.tools).toBe(deploybotTools);
  });

  it('requires human approval for everything that changes production', () => {
    const approval = deploybot.tools.filter((tool) => tool.kind === 'approval').map((tool) => tool.name);
    expect(approval.sort()).toEqual(['deploy_to_production', 'rollback']);
  });

  it('has exactly one terminal tool', () => {
    expect(deploybot.tools.filter((tool) => tool.kind === 'terminal').map((tool) => tool.name)).toEqual([
      'done_for_now',
    ]);
  });
});

describe('deploybot tool parameters', () => {
  const params = (name: string) => findTool(deploybot, name)!.parameters;

  it('require a non-blank ref for deploys', () => {
    for (const name of ['deploy_to_staging', 'deploy_to_production']) {
      expect(params(name).safeParse({ ref: 'v1.2.0' }).success).toBe(true);
      expect(params(name).safeParse({ ref: '  ' }).success).toBe(false);
      expect(params(name).safeParse({}).success).toBe(false);
    }
  });

  it('accept only staging or production as an environment', () => {
    for (const name of ['run_tests', 'list_releases', 'rollback']) {
      expect(params(name).safeParse({ environment: 'staging' }).success).toBe(true);
      expect(params(name).safeParse({ environment: 'production' }).success).toBe(true);
      expect(params(name).safeParse({ environment: 'dev' }).success).toBe(false);
    }
  });

  it('require a question for request_human_input, with options or null', () => {
    expect(params('request_human_input').safeParse({ question: 'Which ref?', options: null }).success).toBe(true);
    expect(params('request_human_input').safeParse({ question: 'Which ref?', options: ['main', 'v1'] }).success).toBe(
      true,
    );
    expect(params('request_human_input').safeParse({ question: '', options: null }).success).toBe(false);
  });

  it('require a message for done_for_now', () => {
    expect(params('done_for_now').safeParse({ message: 'main is live' }).success).toBe(true);
    expect(params('done_for_now').safeParse({ message: ' ' }).success).toBe(false);
  });

  it('convert to strict OpenAI function schemas', () => {
    for (const tool of deploybot.tools) {
      const fn = zodFunction({ name: tool.name, description: tool.description, parameters: tool.parameters });
      expect(fn.function).toMatchObject({
        name: tool.name,
        strict: true,
        parameters: { type: 'object', additionalProperties: false },
      });
    }
  });
});

describe('deploybot prompt', () => {
  it('renders with no placeholder left', () => {
    const prompt = renderedPrompt();
    expect(prompt).not.toContain('{{');
    expect(prompt).not.toContain('}}');
  });

  it('names the agent and every tool', () => {
    const prompt = renderedPrompt();
    expect(prompt).toContain('You are deploybot');
    for (const tool of deploybot.tools) expect(prompt).toContain(tool.name);
  });

  it('renders exactly the reviewed prompt', () => {
    expect(renderedPrompt()).toMatchSnapshot();
  });
});
