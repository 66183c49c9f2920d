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

/**
 * The model's input from a prefix of the thread, with exactly `edits` of the budget's edits applied
 * (core/model-input.ts finds how many fit the budget, with the tokenizer). No tokenizer here: the
 * workflow renders this way, and the model activity receives the text.
 */
export function renderModelInputWithEdits(
  agent: AgentDefinition,
  events: readonly ThreadEvent[],
  edits: number,
): ModelInput {
  const instructions = renderPrompt(agent.prompt, {
    agent: agent.name,
    tools: agent.tools.map((tool) => tool.name).join(', '),
  });
  return { instructions, context: renderContext(replay(events), events, { edits }) };
}
