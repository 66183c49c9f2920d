import { findAgent } from '../agents';
import { ConfigurationError } from '../core/errors';
import { modelInputEdits } from '../core/model-input';
import type { ThreadEvent } from '../core/thread';
import { countTokensO200k } from '../core/tokens';
import { toApplicationFailure } from './application-failure';

/** The thread prefix a decision follows, sent to a local activity: in the worker's memory, never in history. */
export interface PlanModelInputInput {
  agent: string;
  events: ThreadEvent[];
}

/**
 * A local activity, run inside the workflow task that schedules the model call: it counts o200k
 * tokens (the tokenizer loads once per worker, outside the sandbox) and answers how many of the
 * budget's edits the context needs. The history records that number in a marker; the workflow
 * renders the text itself from it and sends it to chooseNextTool, where the Web UI shows it.
 */
export async function planModelInput(input: PlanModelInputInput): Promise<{ edits: number }> {
  const agent = findAgent(input.agent);
  if (!agent)
    throw toApplicationFailure(new ConfigurationError(`Unknown agent "${input.agent}".`), { nonRetryable: true });
  return { edits: modelInputEdits(agent, input.events) };
}

/** Loads the tokenizer's ranks, once per worker process. */
export function warmTokenizer(): void {
  countTokensO200k('warm');
}
