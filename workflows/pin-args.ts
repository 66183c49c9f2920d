import { patched } from '@temporalio/workflow';
import { findTool } from '../core/agent';
import type { EventOf } from '../core/thread';
import { PIN_ACTIVITY_OPTIONS, resolveToolCall } from './activities';
import { errorEventFrom } from './failures';
import type { Run } from './run';

/** Approval tools that resolve their arguments are pinned before a human is asked; older runs replay without it. */
const PINNED_ARGS_PATCH = 'pinned-approval-args-v1';

/**
 * The arguments a request shows and the tool then receives: the model's, or for a tool declared
 * `resolvesArgs` the pinned ones (e.g. `{ref, sha}`). Null when they cannot be pinned: the error is
 * in the thread for the model, and no approval is asked.
 */
export async function pinnedArgs(run: Run, call: EventOf<'tool_call'>): Promise<Record<string, unknown> | null> {
  if (!findTool(run.agent, call.tool)?.resolvesArgs || !patched(PINNED_ARGS_PATCH)) return call.args;
  try {
    return await resolveToolCall.executeWithOptions(
      { ...PIN_ACTIVITY_OPTIONS, summary: `pin ${call.tool} ${JSON.stringify(call.args)}` },
      [{ agent: run.agent.name, tool: call.tool, args: call.args }],
    );
  } catch (error) {
    run.thread.append(errorEventFrom(error, 'tool', call));
    return null;
  }
}
