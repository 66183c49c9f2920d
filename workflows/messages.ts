/**
 * The public API of a run: every signal, query and update, defined once and shared
 * by the workflow (handlers) and the clients (senders). Wire names are the ones the
 * Temporal CLI uses: `temporal workflow signal --name approve`, `... query --type status`.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ApproveInput, DecideInput, PauseInput, RejectInput, ReplyInput, ResumeInput } from '../core/decisions';
import type { AgentState } from '../core/reducer';
import type { ThreadEvent } from '../core/thread';
import type { DeployState } from '../agents/pipeline';

export type { ApproveInput, DecideInput, PauseInput, RejectInput, ReplyInput, ResumeInput } from '../core/decisions';

/** Approves the pending approval request (or the one named). A refused approval is only recorded. */
export const approveSignal = defineSignal<[ApproveInput]>('approve');
/** Rejects the pending approval request; the reason goes back to the model. */
export const rejectSignal = defineSignal<[RejectInput]>('reject');
/** Answers request_human_input, or a run that needs a human after repeated errors. */
export const replySignal = defineSignal<[ReplyInput]>('reply');
/** Stops the run at the next step boundary; never interrupts a tool mid-flight. */
export const pauseSignal = defineSignal<[PauseInput]>('pause');
/** Continues a paused run (or one that needs a human); feedback goes into the context. */
export const resumeSignal = defineSignal<[ResumeInput]>('resume');

/** The run's thread as the `thread` query answers it: its events and the state folded from them, at one moment. */
export interface ThreadSnapshot {
  events: ThreadEvent[];
  state: AgentState;
}
/** The run's thread: what `tfa status`, `tfa model-input` and the gateway show. */
export const threadQuery = defineQuery<ThreadSnapshot>('thread');
/** The derived state alone. */
export const statusQuery = defineQuery<AgentState>('status');

export interface DecideResult {
  requestId: string;
  decision: 'approve' | 'reject';
  /** Set when the approval counted towards a quorum that still waits: who approved and who is still needed. */
  approvals?: string;
}
/** Approve or reject with an answer: the validator refuses unknown, decided or unauthorised decisions. */
export const decideUpdate = defineUpdate<DecideResult, [DecideInput]>('decide');

/** A deployWorkflow's `status`: the DAG's stage, its children and their results (same wire name as a run's). */
export const deployStatusQuery = defineQuery<DeployState>('status');
