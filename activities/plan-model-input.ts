import { Context } from '@temporalio/activity';
import { findAgent } from '../agents';
import { ConfigurationError } from '../core/errors';
import { modelInputEdits } from '../core/model-input';
import type { ThreadEvent } from '../core/thread';
import { countTokensO200k } from '../core/tokens';
import { toApplicationFailure } from './application-failure';
import { followThread, type ThreadDelta } from './thread-mirrors';

/** Sent by runs recorded before the patch model-input-counted-v1: the thread prefix a decision follows. */
export interface PlanModelInputInput {
  agent: string;
  events: ThreadEvent[];
}

/** Since model-input-counted-v1: the texts whose o200k tokens the workflow's context planner lacks. */
export interface CountModelInputTokensInput {
  texts: string[];
  /** Since chain-read-only-v1, for runs without a spend budget: the thread's new events, for the worker's copy (activities/thread-mirrors.ts). */
  thread?: ThreadDelta;
}

/** The counts, and whether the worker's copy of the thread follows it (else the workflow sends the thread whole next time). */
export interface CountedWithThread {
  counts: number[];
  followed: boolean;
}

/**
 * A local activity, run inside the workflow task that schedules the model call, in the worker's
 * memory (its input is never in history): the tokenizer loads once per worker, outside the sandbox.
 * It counts the texts the workflow's context planner asks for (core/context-planner.ts): the new
 * events' lines and the frame, so the workflow plans and renders the budgeted input itself and sends
 * it to chooseNextTool, where the Web UI shows it. The history records the counts (a bare list) in a marker.
 * Older runs sent the thread prefix and got how many of the budget's edits fit.
 */
export async function planModelInput(
  input: PlanModelInputInput | CountModelInputTokensInput,
): Promise<{ edits: number } | number[] | CountedWithThread> {
  if ('texts' in input) {
    const counts = input.texts.map(countTokensO200k);
    if (!input.thread) return counts;
    const runId = Context.current().info.workflowExecution?.runId;
    return { counts, followed: runId !== undefined && followThread(runId, input.thread) };
  }
  const agent = findAgent(input.agent);
  if (!agent)
    throw toApplicationFailure(new ConfigurationError(`Unknown agent "${input.agent}".`), { nonRetryable: true });
  return { edits: modelInputEdits(agent, input.events) };
}

/** Loads the tokenizer's ranks, once per worker process. */
export function warmTokenizer(): void {
  countTokensO200k('warm');
}
