import { zodFunction } from 'openai/helpers/zod';
import { findAgent } from '../../agents';
import { reporter } from '../../agents/reporter';
import { triage } from '../../agents/triage';
import { findTool } from '../../core/agent';
import { renderPrompt } from '../../core/prompt';

const kinds = (tools: readonly { name: string; kind: string }[]) =>
  Object.fromEntries(tools.map((tool) => [tool.name, tool.kind]));
const parameters = (agent: typeof triage, tool: string) => findTool(agent, tool)!.parameters;

test('triage and reporter are registered under their names', () => {
  expect(findAgent('triage')).toBe(triage);
  expect(findAgent('reporter')).toBe(reporter);
});

test('triage reads test runs and ends with a drafted issue, within 8 steps', () => {
  expect(kinds(triage.tools)).toEqual({
    list_test_runs: 'immediate',
    read_test_output: 'immediate',
    draft_issue: 'terminal',
  });
  expect(triage.maxSteps).toBeLessThanOrEqual(8);
});

test('reporter lists runs and ends with a published report, within 6 steps', () => {
  expect(kinds(reporter.tools)).toEqual({ list_runs: 'immediate', publish_report: 'terminal' });
  expect(reporter.maxSteps).toBeLessThanOrEqual(6);
});

test('a drafted issue needs a title, a body and labels', () => {
  const draft = parameters(triage, 'draft_issue');
  expect(
    draft.safeParse({ title: 'default fails', body: 'status.txt is not ok', labels: ['test-failure'] }).success,
  ).toBe(true);
  expect(draft.safeParse({ title: ' ', body: 'x', labels: [] }).success).toBe(false);
  expect(draft.safeParse({ title: 'x', body: 'x' }).success).toBe(false);
});

test('list_runs looks back a positive number of hours, at most a week', () => {
  const list = parameters(reporter, 'list_runs');
  expect(list.safeParse({ hours: 24 }).success).toBe(true);
  expect(list.safeParse({ hours: 0 }).success).toBe(false);
  expect(list.safeParse({ hours: 169 }).success).toBe(false);
});

test.each([triage, reporter])('the $name tools convert to strict OpenAI function schemas', (agent) => {
  for (const tool of agent.tools) {
    expect(
      zodFunction({ name: tool.name, description: tool.description, parameters: tool.parameters }).function.strict,
    ).toBe(true);
  }
});

test.each([triage, reporter])('the $name prompt renders fully and matches its snapshot', (agent) => {
  const text = renderPrompt(agent.prompt, {
    agent: agent.name,
    tools: agent.tools.map((tool) => tool.name).join(', '),
  });
  expect(text).not.toContain('{{');
  expect(text).toMatchSnapshot();
});
