import type { AgentDefinition } from '../core/agent';
import { deploybot } from './deploybot';

/** Every bundled agent by name; workflows and activities look agents up here. */
export const agents: Readonly<Record<string, AgentDefinition>> = { deploybot };

export function findAgent(name: string): AgentDefinition | undefined {
  return Object.hasOwn(agents, name) ? agents[name] : undefined;
}
