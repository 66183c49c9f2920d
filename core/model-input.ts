import type { AgentDefinition } from './agent';
import { contextEditsToFit } from './context';
import { ContextPlanner } from './context-planner';
import { sha256Digest } from './digest';
import { agentInstructions, contextTokenBudget, type ModelInput } from './model-input-render';
import { AgentState, replay } from './reducer';
import type { ThreadEvent } from './thread';
import { countTokensO200k } from './tokens';

export type { ModelInput } from './model-input-render';

/**
 * How many of the budget's edits the context of this thread prefix needs to fit the agent's budget
 * (o200k tokens): what the local activity answered for runs recorded before model-input-counted-v1.
 */
export function modelInputEdits(agent: AgentDefinition, events: readonly ThreadEvent[]): number {
  return contextEditsToFit(replay(events), events, contextTokenBudget(agent), countTokensO200k);
}

/**
 * Renders the model's input from a prefix of the thread. A pure function of the events: the
 * workflow's planner (core/context-planner.ts) renders the same text step by step, and
 * `tfa model-input` and the tests call this, so any step's input can be shown again.
 */
export function renderModelInput(agent: AgentDefinition, events: readonly ThreadEvent[]): ModelInput {
  const planner = new ContextPlanner();
  planner.update(events, replay(events));
  planner.countWith(countTokensO200k);
  return { instructions: agentInstructions(agent), context: planner.render(contextTokenBudget(agent)) };
}

/** Recorded on each tool call, so a later re-rendering can be checked against what the model was sent. */
export function modelInputDigest(input: ModelInput): string {
  return sha256Digest(input);
}

/** A model decision counts as a step whether it chose a tool or failed (see the reducer). */
export const isDecision = (event: ThreadEvent) =>
  event.type === 'tool_call' || (event.type === 'error' && event.source === 'model');

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
