import fc from 'fast-check';
import type { NewEvent, ThreadEvent } from '../../../core/thread';

/** Stamps an event with an id and a time, as the run's thread does. */
export function eventFactory(): (event: NewEvent) => ThreadEvent {
  let counter = 0;
  return (event) => {
    counter += 1;
    return {
      ...event,
      id: `evt-${counter}`,
      at: `2025-01-01T00:00:${String(counter % 60).padStart(2, '0')}.000Z`,
    } as ThreadEvent;
  };
}

/** The model's call of an immediate tool. */
export function toolCall(callId: string, tool: string, args: Record<string, unknown> = {}): NewEvent {
  return { type: 'tool_call', callId, tool, kind: 'immediate', args };
}

/** A call's whole (not truncated) output; `{"ok":true}` unless given. */
export function toolResult(callId: string, tool: string, output = '{"ok":true}'): NewEvent {
  return { type: 'tool_result', callId, tool, output, truncated: false };
}

/** Short texts, and sometimes very long ones full of characters that need escaping. */
const text = (max: number) =>
  fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.string({ minLength: max - 10, maxLength: max }),
    fc.constant('&<>"'.repeat(max / 4)),
  );
const name = fc.oneof(fc.constantFrom('alice', 'bob'), text(100));
const tool = fc.constantFrom('deploy_to_staging', 'run_tests', 'list_releases', 'deploy_to_production');
/** A few ids, so calls, requests and errors refer to each other as in real threads (and sometimes oddly). */
const callId = fc.constantFrom('call-1', 'call-2', 'call-3', 'call-4');
const requestId = fc.constantFrom('req-1', 'req-2', 'req-3');
const args = fc.dictionary(fc.constantFrom('ref', 'environment', 'question'), text(300), { maxKeys: 2 });

/** Any event after the start: bodies up to 2,100 characters (a trimmed tool output and its marker), attributes up to 100. */
export const anyNewEvent: fc.Arbitrary<NewEvent> = fc.oneof(
  fc.record({ type: fc.constant('user_message' as const), text: text(600), by: name }),
  fc.record({ type: fc.constant('tool_call' as const), callId, tool, kind: fc.constant('immediate' as const), args }),
  fc.record({ type: fc.constant('tool_result' as const), callId, tool, output: text(2_100), truncated: fc.boolean() }),
  fc.record({
    type: fc.constant('error' as const),
    source: fc.constantFrom('model' as const, 'tool' as const, 'notify' as const),
    errorType: fc.constantFrom('ModelOutputError', 'ToolExecutionError'),
    code: fc.option(fc.constantFrom('no_tool_call', 'invalid_arguments'), { nil: undefined }),
    message: fc.oneof(fc.constantFrom('tests timed out', 'answer with exactly one tool call'), text(600)),
    stack: fc.option(text(500), { nil: undefined }),
    callId: fc.option(callId, { nil: undefined }),
    tool: fc.option(tool, { nil: undefined }),
  }),
  fc.record({
    type: fc.constant('approval_requested' as const),
    requestId,
    callId,
    tool,
    args,
    argsDigest: fc.constant('sha256:00'),
  }),
  fc.record({
    type: fc.constant('approval_granted' as const),
    requestId,
    by: name,
    comment: fc.option(text(300), { nil: undefined }),
  }),
  fc.record({
    type: fc.constant('approval_counted' as const),
    requestId,
    by: name,
    argsDigest: fc.constant('sha256:00'),
    comment: fc.option(text(300), { nil: undefined }),
  }),
  fc.record({ type: fc.constant('approval_rejected' as const), requestId, by: name, reason: text(600) }),
  fc.record({ type: fc.constant('human_input_requested' as const), requestId, callId, question: text(600) }),
  fc.record({ type: fc.constant('human_reply' as const), requestId, by: name, text: text(600) }),
  fc.record({ type: fc.constant('escalated' as const), requestId, reason: text(400) }),
  fc.record({
    type: fc.constant('decision_refused' as const),
    message: fc.constant('approve'),
    reason: text(100),
    count: fc.option(fc.integer({ min: 2, max: 1_000 }), { nil: undefined }),
  }),
  fc.record({
    type: fc.constant('pause_requested' as const),
    by: fc.option(name, { nil: undefined }),
    reason: fc.option(text(300), { nil: undefined }),
  }),
  fc.record({
    type: fc.constant('pause_withdrawn' as const),
    by: fc.option(name, { nil: undefined }),
    feedback: fc.option(text(300), { nil: undefined }),
  }),
  fc.record({
    type: fc.constant('paused' as const),
    by: fc.option(name, { nil: undefined }),
    reason: fc.option(text(300), { nil: undefined }),
  }),
  fc.record({
    type: fc.constant('resumed' as const),
    by: fc.option(name, { nil: undefined }),
    feedback: fc.option(text(300), { nil: undefined }),
  }),
  fc.record({ type: fc.constant('done' as const), callId, tool: fc.constant('done_for_now'), payload: args }),
  fc.record({ type: fc.constant('run_ended' as const), status: fc.constant('failed' as const), reason: text(300) }),
);

/** A thread as a run starts it (run_started, the user's message), then up to `maxEvents` events of any kind. */
export function anyThread(maxEvents = 60): fc.Arbitrary<ThreadEvent[]> {
  return fc.tuple(text(600), fc.array(anyNewEvent, { maxLength: maxEvents, size: 'max' })).map(([message, rest]) => {
    const stamp = eventFactory();
    return [
      stamp({ type: 'run_started', agent: 'deploybot', maxSteps: 12 }),
      stamp({ type: 'user_message', text: message, by: 'alice' }),
      ...rest.map(stamp),
    ];
  });
}

/**
 * A DeployBot thread (limit 12 steps) that waits for approval of `tool` with `args` as request req-1:
 * run_started, the tool_call and its approval_requested.
 */
export function awaitingApprovalThread(
  tool = 'deploy_to_production',
  args: Record<string, unknown> = { ref: 'main' },
  argsDigest = 'sha256:ab',
): [started: ThreadEvent, call: ThreadEvent, request: ThreadEvent] {
  const stamp = eventFactory();
  return [
    stamp({ type: 'run_started', agent: 'deploybot', maxSteps: 12 }),
    stamp({ type: 'tool_call', callId: 'call-1', tool, kind: 'approval', args }),
    stamp({ type: 'approval_requested', requestId: 'req-1', callId: 'call-1', tool, args, argsDigest }),
  ];
}
