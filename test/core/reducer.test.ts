import fc from 'fast-check';
import { AgentState, initialState, reduce, replay } from '../../core/reducer';
import { ThreadEvent, type NewEvent } from '../../core/thread';

let counter = 0;
/** Stamps an event the way the thread does: an id and an ISO time. */
function ev(event: NewEvent, at = '2025-01-01T00:00:00.000Z'): ThreadEvent {
  counter += 1;
  return { ...event, id: `evt-${counter}`, at } as ThreadEvent;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value as Record<string, unknown>)) deepFreeze(inner);
  }
  return value;
}

const started = (maxSteps = 10) => ev({ type: 'run_started', agent: 'deploybot', maxSteps });
const toolCall = (
  tool = 'deploy_to_staging',
  kind: 'immediate' | 'approval' | 'human' | 'terminal' = 'immediate',
  callId = 'call-1',
) => ev({ type: 'tool_call', callId, tool, kind, args: { ref: 'main' } });
const toolResult = (callId = 'call-1') =>
  ev({ type: 'tool_result', callId, tool: 'deploy_to_staging', output: '{"ok":true}', truncated: false });
const modelError = () =>
  ev({ type: 'error', source: 'model', errorType: 'ModelOutputError', code: 'no_tool_call', message: 'no tool call' });
const toolError = () =>
  ev({
    type: 'error',
    source: 'tool',
    errorType: 'ToolExecutionError',
    message: 'boom',
    callId: 'call-1',
    tool: 'deploy_to_staging',
  });
const approvalRequested = (requestId = 'req-1') =>
  ev(
    {
      type: 'approval_requested',
      requestId,
      callId: 'call-1',
      tool: 'deploy_to_production',
      args: { ref: 'main' },
      argsDigest: 'sha256:abc',
    },
    '2025-01-01T00:01:00.000Z',
  );
const inputRequested = (requestId = 'req-2') =>
  ev(
    { type: 'human_input_requested', requestId, callId: 'call-2', question: 'Which ref?', options: ['main', 'v1'] },
    '2025-01-01T00:02:00.000Z',
  );
const escalated = (requestId = 'req-3') =>
  ev({ type: 'escalated', requestId, reason: '3 consecutive errors' }, '2025-01-01T00:03:00.000Z');

const afterStart = (...events: ThreadEvent[]) => replay([started(), ...events]);

describe('reduce: status transitions', () => {
  it('starts a run as running with the agent name and step limit', () => {
    const state = replay([started(7)]);
    expect(state).toMatchObject({ agent: 'deploybot', maxSteps: 7, status: 'running', step: 0, eventCount: 1 });
  });

  it('changes nothing but the event count for a user message', () => {
    const before = afterStart();
    const after = reduce(before, ev({ type: 'user_message', text: 'deploy main', by: 'alice' }));
    expect(after).toEqual({ ...before, eventCount: before.eventCount + 1 });
  });

  it('records the last tool call and counts it as a step', () => {
    const state = afterStart(toolCall('run_tests', 'immediate', 'call-9'));
    expect(state.step).toBe(1);
    expect(state.lastToolCall).toEqual({ callId: 'call-9', tool: 'run_tests', kind: 'immediate' });
    expect(state.status).toBe('running');
  });

  it('waits for approval after an approval request, with the request pending', () => {
    const state = afterStart(toolCall('deploy_to_production', 'approval'), approvalRequested('req-1'));
    expect(state.status).toBe('awaiting_approval');
    expect(state.pending).toEqual({
      requestId: 'req-1',
      kind: 'approval',
      callId: 'call-1',
      tool: 'deploy_to_production',
      args: { ref: 'main' },
      argsDigest: 'sha256:abc',
      since: '2025-01-01T00:01:00.000Z',
    });
  });

  it.each([
    {
      answered: 'an approval is granted',
      request: approvalRequested('req-1'),
      requestId: 'req-1',
      answer: ev({ type: 'approval_granted', requestId: 'req-1', by: 'alice' }),
    },
    {
      answered: 'an approval is rejected',
      request: approvalRequested('req-1'),
      requestId: 'req-1',
      answer: ev({ type: 'approval_rejected', requestId: 'req-1', by: 'bob', reason: 'frozen' }),
    },
    {
      answered: 'a human reply to an input request',
      request: inputRequested('req-2'),
      requestId: 'req-2',
      answer: ev({ type: 'human_reply', requestId: 'req-2', by: 'alice', text: 'main' }),
    },
  ])('runs again after $answered, and remembers the request as decided', ({ request, requestId, answer }) => {
    const state = afterStart(request, answer);
    expect(state.status).toBe('running');
    expect(state.pending).toBeNull();
    expect(state.resolvedRequestIds).toEqual([requestId]);
  });

  it('waits for a reply after a human input request, keeping the question and options', () => {
    const state = afterStart(toolCall('request_human_input', 'human', 'call-2'), inputRequested('req-2'));
    expect(state.status).toBe('awaiting_reply');
    expect(state.pending).toMatchObject({
      requestId: 'req-2',
      kind: 'input',
      callId: 'call-2',
      question: 'Which ref?',
      options: ['main', 'v1'],
      since: '2025-01-01T00:02:00.000Z',
    });
  });

  it('needs a human after an escalation, with the reason as the pending question', () => {
    const state = afterStart(modelError(), modelError(), modelError(), escalated('req-3'));
    expect(state.status).toBe('needs_human');
    expect(state.pending).toEqual({
      requestId: 'req-3',
      kind: 'escalation',
      question: '3 consecutive errors',
      since: '2025-01-01T00:03:00.000Z',
    });
  });

  it.each([
    ['a human reply', ev({ type: 'human_reply', requestId: 'req-3', by: 'alice', text: 'use v1' })],
    ['resume', ev({ type: 'resumed', by: 'alice', feedback: 'try again' })],
  ])('clears needs_human on %s, resolving the escalation and resetting the error count', (_answered, answer) => {
    const state = afterStart(modelError(), modelError(), escalated('req-3'), answer);
    expect(state.status).toBe('running');
    expect(state.pending).toBeNull();
    expect(state.consecutiveErrors).toBe(0);
    expect(state.resolvedRequestIds).toEqual(['req-3']);
  });

  it('pauses and resumes a running run', () => {
    const paused = afterStart(ev({ type: 'paused', by: 'alice', reason: 'lunch' }));
    expect(paused.status).toBe('paused');
    const resumed = reduce(paused, ev({ type: 'resumed', by: 'alice' }));
    expect(resumed.status).toBe('running');
    expect(resumed.resolvedRequestIds).toEqual([]);
  });

  it('changes nothing but the event count for a refused decision', () => {
    const before = afterStart(approvalRequested('req-1'));
    const after = reduce(
      before,
      ev({
        type: 'decision_refused',
        message: 'approve',
        by: 'mallory',
        requestId: 'req-9',
        reason: 'unknown request',
      }),
    );
    expect(after).toEqual({ ...before, eventCount: before.eventCount + 1 });
  });

  it('completes on done, with the payload as the result', () => {
    const state = afterStart(
      toolCall('done_for_now', 'terminal'),
      ev({ type: 'done', callId: 'call-1', tool: 'done_for_now', payload: { message: 'main is live' } }),
    );
    expect(state.status).toBe('completed');
    expect(state.result).toEqual({ message: 'main is live' });
    expect(state.lastToolCall).toBeNull();
    expect(state.reason).toBeNull();
  });

  it.each(['failed', 'timed_out', 'max_steps_reached'] as const)(
    'ends with status %s and its reason on run_ended, dropping any pending request',
    (status) => {
      const state = afterStart(
        approvalRequested('req-1'),
        ev({ type: 'run_ended', status, reason: `because ${status}` }),
      );
      expect(state.status).toBe(status);
      expect(state.reason).toBe(`because ${status}`);
      expect(state.pending).toBeNull();
      expect(state.result).toBeNull();
    },
  );
});

describe('reduce: steps and errors', () => {
  it('counts tool calls and model errors as steps, but not tool errors', () => {
    const state = afterStart(toolCall(), toolError(), modelError(), toolCall(), toolResult());
    expect(state.step).toBe(3);
  });

  it('does not count results, requests or decisions as steps', () => {
    const state = afterStart(
      ev({ type: 'user_message', text: 'go' }),
      toolResult(),
      approvalRequested('req-1'),
      ev({ type: 'approval_granted', requestId: 'req-1', by: 'alice' }),
      inputRequested('req-2'),
      ev({ type: 'human_reply', requestId: 'req-2', by: 'alice', text: 'yes' }),
    );
    expect(state.step).toBe(0);
  });

  it('increments consecutive errors on model and tool errors alike', () => {
    expect(afterStart(modelError(), toolError(), modelError()).consecutiveErrors).toBe(3);
  });

  it('resets consecutive errors on a tool result', () => {
    expect(afterStart(modelError(), toolError(), toolResult()).consecutiveErrors).toBe(0);
    expect(afterStart(modelError(), toolResult(), toolError()).consecutiveErrors).toBe(1);
  });

  it('resets consecutive errors on a human reply', () => {
    const state = afterStart(
      modelError(),
      toolError(),
      inputRequested('req-2'),
      ev({ type: 'human_reply', requestId: 'req-2', by: 'alice', text: 'main' }),
    );
    expect(state.consecutiveErrors).toBe(0);
  });

  it('does not reset consecutive errors on a tool call', () => {
    expect(afterStart(modelError(), toolCall()).consecutiveErrors).toBe(1);
  });
});

describe('reduce: bookkeeping', () => {
  it('counts every event, including those that change nothing else', () => {
    const events = [
      started(),
      ev({ type: 'user_message', text: 'hi' }),
      ev({ type: 'decision_refused', message: 'approve', reason: 'no request is pending' }),
    ];
    expect(replay(events).eventCount).toBe(3);
  });

  it('keeps decided request ids in the order they were decided', () => {
    const state = afterStart(
      approvalRequested('req-1'),
      ev({ type: 'approval_granted', requestId: 'req-1', by: 'alice' }),
      inputRequested('req-2'),
      ev({ type: 'human_reply', requestId: 'req-2', by: 'alice', text: 'v1' }),
      approvalRequested('req-4'),
      ev({ type: 'approval_rejected', requestId: 'req-4', by: 'bob', reason: 'no' }),
    );
    expect(state.resolvedRequestIds).toEqual(['req-1', 'req-2', 'req-4']);
  });

  it('replays an empty log to the initial state', () => {
    expect(replay([])).toEqual(initialState);
  });

  it('does not mutate the state it is given', () => {
    const before = deepFreeze(afterStart(approvalRequested('req-1')));
    const copy = structuredClone(before);
    expect(() => reduce(before, ev({ type: 'approval_granted', requestId: 'req-1', by: 'alice' }))).not.toThrow();
    expect(before).toEqual(copy);
  });

  it('produces states that satisfy the AgentState schema', () => {
    const state = afterStart(toolCall(), inputRequested('req-2'));
    expect(AgentState.safeParse(state).success).toBe(true);
  });
});

// ---- property tests ----

const ids = fc.constantFrom('a', 'b', 'c', 'd');
const text = fc.string({ maxLength: 12 });
const at = fc.integer({ min: 0, max: 10_000_000 }).map((ms) => new Date(Date.UTC(2025, 0, 1) + ms).toISOString());
const args = fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 });
const kind = fc.constantFrom('immediate', 'approval', 'human', 'terminal' as const);

const newEvent: fc.Arbitrary<NewEvent> = fc.oneof(
  fc.record({ type: fc.constant('run_started' as const), agent: text, maxSteps: fc.integer({ min: 1, max: 50 }) }),
  fc.record(
    { type: fc.constant('user_message' as const), text, by: fc.option(text, { nil: undefined }) },
    { requiredKeys: ['type', 'text'] },
  ),
  fc.record({ type: fc.constant('tool_call' as const), callId: ids, tool: text, kind, args }),
  fc.record({
    type: fc.constant('tool_result' as const),
    callId: ids,
    tool: text,
    output: text,
    truncated: fc.boolean(),
  }),
  fc.record(
    {
      type: fc.constant('error' as const),
      source: fc.constantFrom('model', 'tool' as const),
      errorType: text,
      code: fc.option(text, { nil: undefined }),
      message: text,
      callId: fc.option(ids, { nil: undefined }),
      tool: fc.option(text, { nil: undefined }),
    },
    { requiredKeys: ['type', 'source', 'errorType', 'message'] },
  ),
  fc.record({
    type: fc.constant('approval_requested' as const),
    requestId: ids,
    callId: ids,
    tool: text,
    args,
    argsDigest: text,
  }),
  fc.record(
    {
      type: fc.constant('approval_granted' as const),
      requestId: ids,
      by: text,
      comment: fc.option(text, { nil: undefined }),
    },
    { requiredKeys: ['type', 'requestId', 'by'] },
  ),
  fc.record({ type: fc.constant('approval_rejected' as const), requestId: ids, by: text, reason: text }),
  fc.record(
    {
      type: fc.constant('human_input_requested' as const),
      requestId: ids,
      callId: ids,
      question: text,
      options: fc.option(fc.array(text, { maxLength: 3 }), { nil: undefined }),
    },
    { requiredKeys: ['type', 'requestId', 'callId', 'question'] },
  ),
  fc.record({ type: fc.constant('human_reply' as const), requestId: ids, by: text, text }),
  fc.record({ type: fc.constant('escalated' as const), requestId: ids, reason: text }),
  fc.record(
    {
      type: fc.constant('decision_refused' as const),
      message: text,
      by: fc.option(text, { nil: undefined }),
      requestId: fc.option(ids, { nil: undefined }),
      reason: text,
    },
    { requiredKeys: ['type', 'message', 'reason'] },
  ),
  fc.record(
    {
      type: fc.constant('paused' as const),
      by: fc.option(text, { nil: undefined }),
      reason: fc.option(text, { nil: undefined }),
    },
    { requiredKeys: ['type'] },
  ),
  fc.record(
    {
      type: fc.constant('resumed' as const),
      by: fc.option(text, { nil: undefined }),
      feedback: fc.option(text, { nil: undefined }),
    },
    { requiredKeys: ['type'] },
  ),
  fc.record({ type: fc.constant('done' as const), callId: ids, tool: text, payload: args }),
  fc.record({
    type: fc.constant('run_ended' as const),
    status: fc.constantFrom('failed', 'timed_out', 'max_steps_reached' as const),
    reason: text,
  }),
) as fc.Arbitrary<NewEvent>;

const threadEvent: fc.Arbitrary<ThreadEvent> = fc
  .tuple(newEvent, fc.uuid(), at)
  .map(([event, id, stamp]) => ({ ...event, id, at: stamp }) as ThreadEvent);

/** A run as the workflow writes it: run_started first, then anything. */
const eventLog = fc
  .tuple(fc.tuple(fc.uuid(), at, fc.integer({ min: 1, max: 50 })), fc.array(threadEvent, { maxLength: 40 }))
  .map(([[id, stamp, maxSteps], rest]): ThreadEvent[] => [
    { type: 'run_started', agent: 'deploybot', maxSteps, id, at: stamp },
    ...rest,
  ]);

describe('replay: properties', () => {
  it('generates only events the ThreadEvent schema accepts', () => {
    fc.assert(
      fc.property(eventLog, (events) => {
        for (const event of events) expect(ThreadEvent.safeParse(event).success).toBe(true);
      }),
      { numRuns: 100 },
    );
  });

  it('equals folding reduce over the events one at a time', () => {
    fc.assert(
      fc.property(eventLog, (events) => {
        let state = initialState;
        for (const event of events) state = reduce(state, event);
        expect(replay(events)).toEqual(state);
      }),
    );
  });

  it('equals replaying a prefix and then the rest from the prefix state', () => {
    fc.assert(
      fc.property(
        eventLog.chain((events) => fc.tuple(fc.constant(events), fc.integer({ min: 0, max: events.length }))),
        ([events, cut]) => {
          const prefix = events.slice(0, cut);
          const rest = events.slice(cut);
          expect(replay(rest, replay(prefix))).toEqual(replay(events));
        },
      ),
    );
  });

  it('does not mutate deep-frozen events or the state it starts from', () => {
    fc.assert(
      fc.property(eventLog, (events) => {
        const snapshot = structuredClone(events);
        const frozen = deepFreeze(structuredClone(events));
        const from = deepFreeze(structuredClone(initialState));
        const state = replay(frozen, from);
        expect(frozen).toEqual(snapshot);
        expect(from).toEqual(initialState);
        expect(state).toEqual(replay(snapshot));
      }),
    );
  });

  it('counts every event, and steps as tool calls plus model errors', () => {
    fc.assert(
      fc.property(eventLog, (events) => {
        const state = replay(events);
        expect(state.eventCount).toBe(events.length);
        const steps = events.filter(
          (event) => event.type === 'tool_call' || (event.type === 'error' && event.source === 'model'),
        ).length;
        expect(state.step).toBe(steps);
      }),
    );
  });

  it('always yields a state the AgentState schema accepts', () => {
    fc.assert(
      fc.property(eventLog, (events) => {
        expect(AgentState.safeParse(replay(events)).success).toBe(true);
      }),
    );
  });
});
