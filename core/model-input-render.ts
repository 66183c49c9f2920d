import type { AgentDefinition } from './agent';
import { DEFAULT_CONTEXT_TOKEN_BUDGET } from './constants';
import { renderContext } from './context';
import { renderPrompt } from './prompt';
import { replay } from './reducer';
import type { ThreadEvent } from './thread';

/** Exactly what the model is sent for one decision: the system prompt (F2) and the budgeted event log (F3). */
export interface ModelInput {
  instructions: string;
  context: string;
}

/** The agent's context budget in o200k tokens. */
export function contextTokenBudget(agent: AgentDefinition): number {
  return agent.contextTokenBudget ?? DEFAULT_CONTEXT_TOKEN_BUDGET;
}

/** The agent's system prompt (F2): the same at every step. */
export function agentInstructions(agent: AgentDefinition): string {
  return renderPrompt(agent.prompt, { agent: agent.name, tools: agent.tools.map((tool) => tool.name).join(', ') });
}

/**
 * The model's input from a prefix of the thread, with exactly `edits` of the budget's edits applied,
 * as runs recorded before the patch model-input-counted-v1 planned it (a local activity counted the
 * edits). No tokenizer here: the workflow renders this way.
 */
export function renderModelInputWithEdits(
  agent: AgentDefinition,
  events: readonly ThreadEvent[],
  edits: number,
): ModelInput {
  return { instructions: agentInstructions(agent), context: renderContext(replay(events), events, { edits }) };
}
