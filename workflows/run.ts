import type { AgentDefinition } from '../core/agent';
import type { RunPolicy } from '../core/policy';
import type { ContinuedWait } from '../core/run';
import type { PauseControl } from './pausing';
import type { RunThread } from './run-thread';

/**
 * Continue-as-new from wherever the run stands, waits included, so no flood of messages can carry a
 * run's history to Temporal's limit.
 */
export interface HandOver {
  /** True when Temporal suggests it or the history passed the run's limit, and no handler is mid-way. */
  ready(): boolean;
  /** Whether the history can grow by `bytes` before the run continues as new (decisions made ahead would be let go). */
  roomFor(bytes: number): boolean;
  /** Continues as new with the bounded thread and, from inside a wait, where the wait stood. */
  continueAsNew(waiting?: ContinuedWait): Promise<never>;
}

/** Everything one run's steps need; lives for the run's lifetime inside the workflow. */
export interface Run {
  thread: RunThread;
  agent: AgentDefinition;
  control: PauseControl;
  workflowId: string;
  policy: RunPolicy;
  /**
   * True for runs started with the run policy (patch `human-policy-v1`): request timeouts, escalation
   * and search attributes. False only when replaying older runs.
   */
  startedWithHumanPolicy: boolean;
  handOver: HandOver;
  /** The step after which the run continues as new by count; model activities decide no step beyond it. */
  lastStepBeforeContinuing?: number;
}
