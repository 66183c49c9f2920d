/**
 * The SIMULATED model of the offline demo (`npm start` without an OpenAI key) and of tests: fixed
 * policies, not an LLM, one per bundled agent (scripts/scripted-model/responders/). The agent is told
 * by the tools the request offers, e.g. `report_test_results` means the tester; each policy reads
 * only the last user message, the event log core/context.ts renders, and picks one tool call.
 *
 * A request without tools gets DeployBot's policy, the demo's first agent; one whose tools
 * fit no policy gets a text answer saying so, which the agent records as a model error.
 */
import type { ScriptedReply, ScriptedResponder } from './server';
import { nextDeployerStep } from './responders/deployer';
import { nextDeploybotStep } from './responders/deploybot';
import { nextNotifierStep } from './responders/notifier';
import { contentText } from './responders/rendered-context';
import { nextReporterStep } from './responders/reporter';
import { nextTesterStep } from './responders/tester';
import { nextTriageStep } from './responders/triage';

export { extractRef, nextDeploybotStep } from './responders/deploybot';

export type DemoAgent = 'deploybot' | 'tester' | 'deployer' | 'notifier' | 'triage' | 'reporter';

/** Tools only that agent has (shared ones such as deploy_to_production tell nothing). */
const SIGNATURE_TOOLS: Readonly<Record<DemoAgent, readonly string[]>> = {
  deploybot: ['done_for_now', 'deploy_to_staging', 'run_tests', 'list_releases', 'rollback'],
  tester: ['report_test_results', 'list_test_suites', 'run_test_suite'],
  deployer: ['finish_deploy'],
  notifier: ['finish_notifying', 'send_notification'],
  triage: ['draft_issue', 'list_test_runs', 'read_test_output'],
  reporter: ['publish_report', 'list_runs'],
};

const POLICIES: Readonly<Record<DemoAgent, (context: string) => ScriptedReply>> = {
  deploybot: nextDeploybotStep,
  tester: nextTesterStep,
  deployer: nextDeployerStep,
  notifier: nextNotifierStep,
  triage: nextTriageStep,
  reporter: nextReporterStep,
};

/** Which agent a request with these tool names comes from; DeployBot when there are none, null when unknown. */
export function demoAgentFor(toolNames: readonly string[]): DemoAgent | null {
  if (toolNames.length === 0) return 'deploybot';
  const agents = Object.keys(SIGNATURE_TOOLS) as DemoAgent[];
  return agents.find((agent) => SIGNATURE_TOOLS[agent].some((tool) => toolNames.includes(tool))) ?? null;
}

/** The demo responder for every bundled agent; the name is kept because scripts/start.ts imports it. */
export function deploybotDemoResponder(): ScriptedResponder {
  return ({ messages, tools }) => {
    const names = tools.map((tool) => tool.function?.name).filter((name): name is string => typeof name === 'string');
    const agent = demoAgentFor(names);
    if (agent === null) {
      return {
        text: `The scripted demo model (simulated, not an LLM) has no policy for an agent with the tools ${names.join(', ')}.`,
      };
    }
    const lastUser = [...messages].reverse().find((message) => message.role === 'user');
    return POLICIES[agent](contentText(lastUser?.content));
  };
}
