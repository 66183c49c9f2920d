import type { AgentDefinition } from './agent';
import { findTool } from './agent';
import { ContextPlanner } from './context-planner';
import { agentInstructions, contextTokenBudget, type ModelInput } from './model-input-render';
import { initialState, reduce, type AgentState } from './reducer';
import type { NewEvent, ThreadEvent } from './thread';
import { countTokensO200k } from './tokens';
import type { ModelCallUsage } from './usage';

/** A read-only step made outside the workflow: the model's call, and the tool's output. */
export interface MirroredStep {
  callId: string;
  tool: string;
  args: Record<string, unknown>;
  inputDigest: string;
  usage?: ModelCallUsage;
  output: string;
  truncated: boolean;
}

/**
 * A copy of a run's thread kept outside the workflow, so a decision's activity can render the next
 * step's model input itself after a read-only tool (chained decisions). It renders with the same
 * planner the workflow runs (core/context-planner.ts), so the same events give the same text; the
 * activity checks that its render of the first step equals the input the workflow sent before it
 * renders any step of its own.
 */
export class MirroredThread {
  private readonly events: ThreadEvent[] = [];
  private state: AgentState = initialState;
  private readonly planner = new ContextPlanner();

  get length(): number {
    return this.events.length;
  }

  /**
   * Takes in the workflow's events from index `from`. Events it already holds (the steps it made
   * itself, which the workflow then appended) must be the same, ids and times aside; false when they
   * differ (the workflow let a chained decision go), when `from` leaves a gap or the copy is ahead of
   * what the workflow sent: the copy cannot follow the thread.
   */
  follow(from: number, events: readonly ThreadEvent[]): boolean {
    const known = this.events.length - from;
    if (known < 0 || known > events.length) return false;
    for (let index = 0; index < known; index++)
      if (!sameEvent(this.events[from + index]!, events[index]!)) return false;
    for (const event of events.slice(known)) this.push(event);
    return true;
  }

  /** The model input of the next step, exactly as the workflow's planner renders it for these events. */
  modelInput(agent: AgentDefinition): ModelInput {
    this.planner.update(this.events, this.state);
    this.planner.countWith(countTokensO200k);
    return { instructions: agentInstructions(agent), context: this.planner.render(contextTokenBudget(agent)) };
  }

  /** Appends a read-only step's call and result, as the workflow will append them. */
  appendStep(agent: AgentDefinition, step: MirroredStep): void {
    const { callId, tool, args, inputDigest, usage, output, truncated } = step;
    const kind = findTool(agent, tool)?.kind ?? 'immediate';
    this.push({ type: 'tool_call', callId, tool, kind, args, inputDigest, ...(usage && { usage }) });
    this.appendResult({ callId, tool, output, truncated });
  }

  /** Appends a tool's result, as the workflow will append it. */
  appendResult(result: { callId: string; tool: string; output: string; truncated: boolean }): void {
    const { callId, tool, output, truncated } = result;
    this.push({ type: 'tool_result', callId, tool, output, truncated });
  }

  /** Ids and times are the workflow's to stamp; no rendered line shows them. */
  private push(event: NewEvent | ThreadEvent): void {
    const stamped = { id: '', at: '', ...event } as ThreadEvent;
    this.events.push(stamped);
    this.state = reduce(this.state, stamped);
  }
}

/** JSON with keys in order: events built in different places compare by content. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner,
  );
}

function sameEvent(held: ThreadEvent, sent: ThreadEvent): boolean {
  const { id: _heldId, at: _heldAt, ...heldContent } = held;
  const { id: _sentId, at: _sentAt, ...sentContent } = sent;
  return canonical(heldContent) === canonical(sentContent);
}
