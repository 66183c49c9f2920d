import type { AgentDefinition } from '../core/agent';
import { deploybot } from './deploybot';
import { deployer } from './deployer';
import { notifier } from './notifier';
import { tester } from './tester';

/** Every bundled agent by name; workflows and activities look agents up here. */
export const agents: Readonly<Record<string, AgentDefinition>> = { deploybot, tester, deployer, notifier };

export function findAgent(name: string): AgentDefinition | undefined {
  return Object.hasOwn(agents, name) ? agents[name] : undefined;
}
