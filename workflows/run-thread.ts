import { setCurrentDetails, uuid4, workflowInfo } from '@temporalio/workflow';
import { initialState, reduce, replay, type AgentState } from '../core/reducer';
import { placeRefusal } from '../core/refusals';
import type { NewEvent, ThreadEvent } from '../core/thread';
import { describeWaiting } from '../core/waiting';
import { emitRunMetrics } from './run-metrics';

/** The run's one source of truth (F5): events in order, and the state folded from them (F12). */
export class RunThread {
  readonly events: ThreadEvent[] = [];
  state: AgentState = initialState;

  constructor(
    private readonly workflowId: string,
    /** Called after every event with the new state (search attributes). */
    private readonly publish?: (state: AgentState) => void,
    /** Fold repeated refusals (core/refusals.ts); false when replaying runs started before patch `fold-refusals-v1`. */
    private readonly foldRefusals = false,
  ) {}

  append(event: NewEvent): ThreadEvent {
    if (event.type === 'decision_refused' && this.foldRefusals) {
      const placement = placeRefusal(this.events, event);
      if ('fold' in placement) return (this.events[placement.fold] = placement.event); // the state is unchanged
      event = placement.append;
    }
    // uuid4() and Date are replay-safe inside the workflow sandbox.
    const stamped = { ...event, id: uuid4(), at: new Date().toISOString() } as ThreadEvent;
    this.events.push(stamped);
    emitRunMetrics(stamped, this.state);
    this.state = reduce(this.state, stamped);
    this.showWaiting();
    this.publish?.(this.state);
    return stamped;
  }

  /** Takes over the thread of the run this one continues (continue-as-new). */
  restore(events: readonly ThreadEvent[]): void {
    this.events.push(...events);
    this.state = replay(events);
    this.showWaiting();
    this.publish?.(this.state);
  }

  /** The Web UI's current details; its `temporal` lines name the run's namespace unless it is `default`. */
  private showWaiting(): void {
    setCurrentDetails(describeWaiting(this.workflowId, this.state, workflowInfo().namespace));
  }
}
