/**
 * Synthetic threads for testing the SIMULATED demo policies: events rendered by the real
 * core/context.ts, so a policy reads exactly what the model would.
 */
import type OpenAI from 'openai';
import { createChooseNextTool } from '../../../activities/choose-next-tool';
import { findAgent } from '../../../agents';
import { findTool } from '../../../core/agent';
import { renderContext } from '../../../core/context';
import { replay } from '../../../core/reducer';
import type { NewEvent, ThreadEvent } from '../../../core/thread';

let counter = 0;

export function ev(event: NewEvent): ThreadEvent {
  counter += 1;
  return { ...event, id: `evt-${counter}`, at: '2025-01-01T00:00:00.000Z' } as ThreadEvent;
}

/** A tool call and its result: `output` as JSON text, as execute-tool stores it (strings as given). */
export function ran(tool: string, args: Record<string, unknown>, output: unknown): NewEvent[] {
  const callId = `call-${++counter}`;
  return [
    { type: 'tool_call', callId, tool, kind: 'immediate', args },
    {
      type: 'tool_result',
      callId,
      tool,
      output: typeof output === 'string' ? output : JSON.stringify(output),
      truncated: false,
    },
  ];
}

/** An approval call that `by` rejects. */
export function rejected(tool: string, args: Record<string, unknown>, reason: string, by = 'bob'): NewEvent[] {
  const requestId = `req-${++counter}`;
  const callId = `call-${counter}`;
  return [
    { type: 'tool_call', callId, tool, kind: 'approval', args },
    { type: 'approval_requested', requestId, callId, tool, args, argsDigest: 'sha256:00' },
    { type: 'approval_rejected', requestId, by, reason },
  ];
}

/** The start of a run of `agent` with its task from alice. */
export function started(agent: string, task: string): ThreadEvent[] {
  return [
    ev({ type: 'run_started', agent, maxSteps: findAgent(agent)?.maxSteps ?? 10 }),
    ev({ type: 'user_message', text: task, by: 'alice' }),
  ];
}

/** The context the model sees for these events. */
export function rendered(events: readonly ThreadEvent[]): string {
  return renderContext(replay(events), events);
}

/** What a tool returns when played, or a person rejecting the (approval) call. */
export type Outcome = { output: unknown } | { rejectedBy: string; reason: string };

/**
 * Runs `agent` to its terminal call the way workflows/agent.ts does, minus Temporal: the rendered
 * context goes through the real chooseNextTool and OpenAI SDK to `openai`'s endpoint, and
 * `outcomes` plays each tool. Returns every call, the terminal one last.
 */
export async function driveAgent(
  openai: OpenAI,
  agent: string,
  task: string,
  outcomes: Record<string, (args: Record<string, unknown>) => Outcome>,
): Promise<Array<[tool: string, args: Record<string, unknown>]>> {
  const chooseNextTool = createChooseNextTool({ openai });
  const definition = findAgent(agent)!;
  const events = started(agent, task);
  const calls: Array<[string, Record<string, unknown>]> = [];
  while (calls.length < definition.maxSteps) {
    const chosen = await chooseNextTool({ agent, instructions: 'offline demo', context: rendered(events) });
    calls.push([chosen.tool, chosen.args]);
    const kind = findTool(definition, chosen.tool)!.kind;
    if (kind === 'terminal') return calls;
    const outcome = outcomes[chosen.tool]!(chosen.args);
    const played =
      'output' in outcome
        ? ran(chosen.tool, chosen.args, outcome.output)
        : rejected(chosen.tool, chosen.args, outcome.reason, outcome.rejectedBy);
    events.push(
      ...played.map((event) => ev(event.type === 'tool_call' ? { ...event, callId: chosen.callId, kind } : event)),
    );
  }
  throw new Error(`${agent} made ${calls.length} calls without finishing: ${JSON.stringify(calls)}`);
}
