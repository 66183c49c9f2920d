import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { AGENT_WORKFLOW_TYPE } from '../core/constants';
import { ForkRefusedError, type ForkSource } from '../core/fork';
import { cutThread } from '../core/fork-cut';
import type { ThreadEvent } from '../core/thread';
import { threadQuery } from '../workflows/messages';
import { toApplicationFailure } from './application-failure';

export type LoadForkSourceInput = ForkSource & { agent: string };

/** The source's events up to the cut, and the run they were read from. */
export interface ForkSourceThread {
  runId: string;
  events: ThreadEvent[];
}

const refused = (message: string) =>
  toApplicationFailure(new ForkRefusedError(message), { nonRetryable: true }) as ApplicationFailure;

/**
 * Reads the source run's thread from Temporal (its `thread` query, answered by replay once the run
 * has closed) and cuts it: a fork's events come from the server's record, never from whoever starts it.
 */
export async function loadForkSource(input: LoadForkSourceInput): Promise<ForkSourceThread> {
  const handle = Context.current().client.workflow.getHandle(input.workflowId, input.runId);
  const { type, runId } = await handle.describe();
  if (type !== AGENT_WORKFLOW_TYPE)
    throw refused(`${input.workflowId} is a ${type} run: fork one of its agent runs (tfa status lists its children)`);
  const { events } = await handle.query(threadQuery);
  const agent = events[0]?.type === 'run_started' ? events[0].agent : undefined;
  if (agent !== input.agent)
    throw refused(`${input.workflowId} is a run of agent ${agent ?? '(none)'}, not ${input.agent}`);
  try {
    return { runId, events: cutThread(events, input.at, runId) };
  } catch (error) {
    if (error instanceof ForkRefusedError) throw refused(error.message);
    throw error;
  }
}
