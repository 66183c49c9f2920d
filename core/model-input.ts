import type { AgentDefinition } from './agent';
import { DEFAULT_CONTEXT_TOKEN_BUDGET } from './constants';
import { renderContext } from './context';
import { sha256Digest } from './digest';
import { renderPrompt } from './prompt';
import { AgentState, replay } from './reducer';
import type { ThreadEvent } from './thread';

/** Exactly what the model is sent for one decision: the system prompt (F2) and the budgeted event log (F3). */
export interface ModelInput {
  instructions: string;
  context: string;
}

/**
 * Renders the model's input from a prefix of the thread. A pure function of the events: the model
 * activity, `tfa model-input` and the tests all call it, so any step's input can be shown again.
 */
export function renderModelInput(agent: AgentDefinition, events: readonly ThreadEvent[]): ModelInput {
  const instructions = renderPrompt(agent.prompt, { agent: agent.name, tools: agent.tools.map((tool) => tool.name).join(', ') });
  const context = renderContext(replay(events), events, { tokenBudget: agent.contextTokenBudget ?? DEFAULT_CONTEXT_TOKEN_BUDGET });
  return { instructions, context };
}

/** Recorded on each tool call, so a later re-rendering can be checked against what the model was sent. */
export function modelInputDigest(input: ModelInput): string {
  return sha256Digest(input);
}

/** A model decision counts as a step whether it chose a tool or failed (see the reducer). */
const isDecision = (event: ThreadEvent) => event.type === 'tool_call' || (event.type === 'error' && event.source === 'model');

/**
 * How many events preceded the model's decision at `step` (1-based); undefined if this thread does
 * not hold it (not made yet, or left behind in an earlier run: see its earlier_events note).
 */
export function eventsBeforeStep(events: readonly ThreadEvent[], step: number): number | undefined {
  let decisions = 0;
  for (const [index, event] of events.entries()) {
    if (event.type === 'earlier_events') decisions = AgentState.parse(event.state).step;
    else if (isDecision(event) && ++decisions === step) return index;
  }
  return undefined;
}
