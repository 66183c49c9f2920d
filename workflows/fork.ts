/**
 * Starting a run as a fork (tfa fork): the source's thread up to the cut, read by an activity from
 * Temporal (a start input never carries events), then a `forked` event; the policy is read anew.
 */
import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';
import type { ForkSource } from '../core/fork';
import { replay } from '../core/reducer';
import { loadForkSource, loadRunPolicy } from './activities';
import type { Run } from './run';

export async function startFork(run: Run, fork: ForkSource, by: string | undefined): Promise<void> {
  const source = await loadForkSource({ ...fork, agent: run.agent.name }).catch((error: unknown) => {
    // A refused cut ends the fork at once, saying why: the run has no thread of its own yet.
    const why = error instanceof ActivityFailure && error.cause ? error.cause.message : String(error);
    throw ApplicationFailure.nonRetryable(`cannot fork ${fork.workflowId}: ${why}`, 'ForkRefusedError');
  });
  // A budgeted source's fork also needs the approvers of another window.
  const budget = replay(source.events).budget !== undefined;
  run.policy = await loadRunPolicy({ agent: run.agent.name, ...(budget ? { budget } : {}) });
  // Restored and marked in one go, with no await between: no message ever meets the source's pending request.
  run.thread.restore(source.events);
  run.thread.append({
    type: 'forked',
    workflowId: fork.workflowId,
    runId: source.runId,
    eventId: source.events.at(-1)!.id,
    steps: run.thread.state.step,
    by,
    policy: run.policy,
  });
}
