import type { AgentDefinition } from '../core/agent';
import type { RunPolicy } from '../core/policy';
import type { PauseControl } from './pausing';
import type { RunThread } from './run-thread';

/** Everything one run's steps need; lives for the run's lifetime inside the workflow. */
export interface Run {
  thread: RunThread;
  agent: AgentDefinition;
  control: PauseControl;
  workflowId: string;
  policy: RunPolicy;
  /** False when replaying a run started before request timeouts existed (patch `human-policy-v1`). */
  timeouts: boolean;
}
