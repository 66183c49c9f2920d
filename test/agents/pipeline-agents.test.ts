import { agents } from '../../agents';
import { deployer } from '../../agents/deployer';
import { notifier } from '../../agents/notifier';
import { tester } from '../../agents/tester';
import { renderPrompt } from '../../core/prompt';

const kinds = (tools: readonly { name: string; kind: string }[]) =>
  Object.fromEntries(tools.map((tool) => [tool.name, tool.kind]));

test('every bundled agent is registered under its own name and stays a micro-agent (3 to 20 steps)', () => {
  for (const [name, agent] of Object.entries(agents)) {
    expect(agent.name).toBe(name);
    expect(agent.maxSteps).toBeGreaterThanOrEqual(3);
    expect(agent.maxSteps).toBeLessThanOrEqual(20);
  }
});

test('the pipeline agents have few tools, with the kinds the DAG relies on', () => {
  expect(kinds(tester.tools)).toEqual({
    list_test_suites: 'immediate',
    run_test_suite: 'immediate',
    report_test_results: 'terminal',
  });
  expect(kinds(deployer.tools)).toEqual({
    deploy_to_production: 'approval',
    request_human_input: 'human',
    finish_deploy: 'terminal',
  });
  expect(kinds(notifier.tools)).toEqual({ send_notification: 'immediate', finish_notifying: 'terminal' });
});

test('the tester verdict refuses a report without a summary', () => {
  const report = tester.tools.find((tool) => tool.name === 'report_test_results')!;
  expect(report.parameters.safeParse({ passed: true, summary: ' ' }).success).toBe(false);
  expect(report.parameters.safeParse({ passed: false, summary: 'unit failed' }).success).toBe(true);
});

test.each([tester, deployer, notifier])('the $name prompt renders fully and matches its snapshot', (agent) => {
  const text = renderPrompt(agent.prompt, {
    agent: agent.name,
    tools: agent.tools.map((tool) => tool.name).join(', '),
  });
  expect(text).not.toContain('{{');
  expect(text).toMatchSnapshot();
});
