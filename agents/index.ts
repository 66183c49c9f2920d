import type { AgentDefinition } from '../core/agent';
import { deploybot } from './deploybot';
import { deployer } from './deployer';
import { notifier } from './notifier';
import { reporter } from './reporter';
import { tester } from './tester';
import { triage } from './triage';

/** Every bundled agent by name; workflows and activities look agents up here. */
export const agents: Readonly<Record<string, AgentDefinition>> = {
  deploybot,
  tester,
  deployer,
  notifier,
  triage,
  reporter,
};

export function findAgent(name: string): AgentDefinition | undefined {
  return Object.hasOwn(agents, name) ? agents[name] : undefined;
}

/** Every agent's approval tools by agent name: what a policy file must cover. */
export function approvalTools(): Record<string, string[]> {
  return Object.fromEntries(
    Object.values(agents)
      .map(
        (agent) =>
          [agent.name, agent.tools.filter((tool) => tool.kind === 'approval').map((tool) => tool.name)] as const,
      )
      .filter(([, tools]) => tools.length > 0),
  );
}
