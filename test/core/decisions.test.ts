import {
  ApproveInput,
  DecideInput,
  evaluateDecision,
  parseDecideInput,
  parseDecisionSignal,
  parseMessage,
  PauseInput,
  RejectInput,
  ReplyInput,
  ResumeInput,
  type Decision,
} from '../../core/decisions';
import { replay, type AgentState } from '../../core/reducer';
import { undecodablePayload } from '../../core/undecodable';
import { DecisionRefused, ThreadEvent, type NewEvent } from '../../core/thread';

let counter = 0;
function ev(event: NewEvent, at = '2025-01-01T00:00:00.000Z'): ThreadEvent {
  counter += 1;
  return { ...event, id: `evt-${counter}`, at } as ThreadEvent;
}

const started = ev({ type: 'run_started', agent: 'deploybot', maxSteps: 12 });
const approvalRequested = (requestId: string) =>
  ev({
    type: 'approval_requested',
    requestId,
    callId: `call-${requestId}`,
    tool: 'deploy_to_production',
    args: { ref: 'main' },
    argsDigest: 'sha256:00',
  });
const inputRequested = (requestId: string) =>
  ev({ type: 'human_input_requested', requestId, callId: `call-${requestId}`, question: 'Which ref?' });
const escalated = (requestId: string) => ev({ type: 'escalated', requestId, reason: '3 consecutive errors' });

const state = (...events: ThreadEvent[]): AgentState => replay([started, ...events]);
const awaitingApproval = () => state(approvalRequested('req-1'));
const awaitingReply = () => state(inputRequested('req-2'));
const needsHuman = () => state(escalated('req-3'));

const approve = (extra: Partial<Decision> = {}): Decision => ({ action: 'approve', by: 'alice', ...extra }) as Decision;
const reject = (extra: Partial<Decision> = {}): Decision =>
  ({ action: 'reject', by: 'alice', reason: 'frozen', ...extra }) as Decision;
const reply = (extra: Partial<Decision> = {}): Decision =>
  ({ action: 'reply', by: 'alice', text: 'main', ...extra }) as Decision;

/** A message body the parser refused: its reason and the decision_refused event; fails the test if it was accepted. */
function refusedBody(parsed: ReturnType<typeof parseMessage>) {
  if (parsed.ok) throw new Error(`expected a refusal, got ${JSON.stringify(parsed)}`);
  return parsed;
}

function refusal(outcome: ReturnType<typeof evaluateDecision>): string {
  if (outcome.accepted) throw new Error(`expected a refusal, got ${JSON.stringify(outcome)}`);
  return outcome.reason;
}

describe('evaluateDecision: accepted decisions', () => {
  it.each([
    {
      accepts: 'an approval of the pending approval request, with its comment',
      waiting: awaitingApproval,
      decision: approve({ requestId: 'req-1', comment: 'ship it' }),
      event: { type: 'approval_granted', requestId: 'req-1', by: 'alice', comment: 'ship it' },
    },
    {
      accepts: 'a rejection of the pending approval request, with its reason',
      waiting: awaitingApproval,
      decision: reject({ requestId: 'req-1', reason: 'production is frozen' }),
      event: { type: 'approval_rejected', requestId: 'req-1', by: 'alice', reason: 'production is frozen' },
    },
    {
      accepts: 'a reply to the pending input request',
      waiting: awaitingReply,
      decision: reply({ requestId: 'req-2', text: 'v1.2' }),
      event: { type: 'human_reply', requestId: 'req-2', by: 'alice', text: 'v1.2' },
    },
  ])('accepts $accepts', ({ waiting, decision, event }) => {
    expect(evaluateDecision(waiting(), decision)).toEqual({ accepted: true, requestId: event.requestId, event });
  });

  it('accepts a reply to a pending escalation', () => {
    const outcome = evaluateDecision(needsHuman(), reply({ requestId: 'req-3' }));
    expect(outcome).toMatchObject({
      accepted: true,
      requestId: 'req-3',
      event: { type: 'human_reply', requestId: 'req-3' },
    });
  });

  it('applies a decision without a requestId to the pending request', () => {
    expect(evaluateDecision(awaitingApproval(), approve())).toMatchObject({
      accepted: true,
      requestId: 'req-1',
      event: { requestId: 'req-1' },
    });
    expect(evaluateDecision(awaitingReply(), reply())).toMatchObject({
      accepted: true,
      requestId: 'req-2',
      event: { requestId: 'req-2' },
    });
  });

  it('accepts an approval or rejection by someone on the approvers list', () => {
    const policy = { approvers: { deploy_to_production: ['alice', 'bob'] } };
    expect(evaluateDecision(awaitingApproval(), approve({ by: 'bob' }), policy).accepted).toBe(true);
    expect(evaluateDecision(awaitingApproval(), reject({ by: 'alice' }), policy).accepted).toBe(true);
  });

  it('lets anyone approve a tool the approvers list does not name', () => {
    expect(
      evaluateDecision(awaitingApproval(), approve({ by: 'anyone' }), { approvers: { rollback: ['alice'] } }).accepted,
    ).toBe(true);
  });

  it('lets anyone approve when the policy names no approvers', () => {
    expect(evaluateDecision(awaitingApproval(), approve({ by: 'anyone' }), {}).accepted).toBe(true);
    expect(evaluateDecision(awaitingApproval(), approve({ by: 'anyone' })).accepted).toBe(true);
  });

  it('produces events that are valid thread events once stamped', () => {
    for (const outcome of [
      evaluateDecision(awaitingApproval(), approve()),
      evaluateDecision(awaitingApproval(), reject()),
      evaluateDecision(awaitingReply(), reply()),
      evaluateDecision(awaitingReply(), approve()),
    ]) {
      expect(ThreadEvent.safeParse(ev(outcome.event)).success).toBe(true);
    }
  });

  it('moves the run on when its accepted event is applied', () => {
    const before = [started, approvalRequested('req-1')];
    const outcome = evaluateDecision(replay(before), approve());
    const after = replay([...before, ev(outcome.event)]);
    expect(after.status).toBe('running');
    expect(after.resolvedRequestIds).toEqual(['req-1']);
  });
});

describe('evaluateDecision: refused decisions', () => {
  it('refuses a decision when no request is pending', () => {
    expect(refusal(evaluateDecision(state(), approve()))).toBe('no request is pending');
    expect(refusal(evaluateDecision(state(), reply()))).toBe('no request is pending');
  });

  it('refuses a decision after the run ended with a request pending', () => {
    const ended = state(
      approvalRequested('req-1'),
      ev({ type: 'run_ended', status: 'timed_out', reason: 'no answer in time' }),
    );
    expect(refusal(evaluateDecision(ended, approve({ requestId: 'req-1' })))).toBe('no request is pending');
  });

  it('refuses a decision for an unknown requestId and names the pending one', () => {
    const reason = refusal(evaluateDecision(awaitingApproval(), approve({ requestId: 'req-404' })));
    expect(reason).toBe('unknown request req-404; the pending request is req-1');
  });

  it('refuses a decision for an already decided request', () => {
    const decided = state(
      approvalRequested('req-1'),
      ev({ type: 'approval_granted', requestId: 'req-1', by: 'alice' }),
    );
    expect(refusal(evaluateDecision(decided, reject({ requestId: 'req-1' })))).toBe(
      'request req-1 was already decided',
    );
  });

  it('refuses a decision for an already decided request even while another request is pending', () => {
    const decided = state(
      approvalRequested('req-1'),
      ev({ type: 'approval_granted', requestId: 'req-1', by: 'alice' }),
      approvalRequested('req-5'),
    );
    expect(refusal(evaluateDecision(decided, approve({ requestId: 'req-1' })))).toBe(
      'request req-1 was already decided',
    );
    expect(evaluateDecision(decided, approve({ requestId: 'req-5' })).accepted).toBe(true);
  });

  it('refuses an approval or rejection of an input request', () => {
    expect(refusal(evaluateDecision(awaitingReply(), approve()))).toBe('request req-2 expects reply, not approve');
    expect(refusal(evaluateDecision(awaitingReply(), reject()))).toBe('request req-2 expects reply, not reject');
  });

  it('refuses an approval of an escalation', () => {
    expect(refusal(evaluateDecision(needsHuman(), approve()))).toBe('request req-3 expects reply, not approve');
  });

  it('refuses a reply to an approval request', () => {
    expect(refusal(evaluateDecision(awaitingApproval(), reply()))).toBe(
      'request req-1 expects approve or reject, not reply',
    );
  });

  it('refuses an approval or rejection by someone not on the approvers list, naming who may', () => {
    const policy = { approvers: { deploy_to_production: ['alice', 'bob'] } };
    expect(refusal(evaluateDecision(awaitingApproval(), approve({ by: 'mallory' }), policy))).toBe(
      'mallory may not approve deploy_to_production; allowed: alice, bob',
    );
    expect(refusal(evaluateDecision(awaitingApproval(), reject({ by: 'mallory' }), policy))).toContain(
      'mallory may not approve',
    );
  });

  it('refuses everyone when the approvers list is empty', () => {
    expect(
      evaluateDecision(awaitingApproval(), approve({ by: 'alice' }), { approvers: { deploy_to_production: [] } })
        .accepted,
    ).toBe(false);
  });

  it('records a refusal as a decision_refused event naming the message, the sender and the request', () => {
    const outcome = evaluateDecision(awaitingApproval(), approve({ by: 'mallory', requestId: 'req-404' }));
    expect(outcome).toEqual({
      accepted: false,
      reason: 'unknown request req-404; the pending request is req-1',
      event: {
        type: 'decision_refused',
        message: 'approve',
        by: 'mallory',
        requestId: 'req-404',
        reason: 'unknown request req-404; the pending request is req-1',
      },
    });
    expect(DecisionRefused.safeParse(ev(outcome.event)).success).toBe(true);
  });

  it('leaves the state unchanged apart from the event count when its refusal is applied', () => {
    const before = awaitingApproval();
    const outcome = evaluateDecision(before, reply());
    const after = replay([ev(outcome.event)], before);
    expect(after).toEqual({ ...before, eventCount: before.eventCount + 1 });
  });
});

describe('message schemas', () => {
  it('trims who decides, and refuses a blank one', () => {
    expect(ApproveInput.parse({ by: '  alice ' }).by).toBe('alice');
    expect(ApproveInput.safeParse({ by: '   ' }).success).toBe(false);
  });

  it('accepts a decide body that is an approval or a rejection with a reason', () => {
    expect(DecideInput.parse({ decision: 'approve', by: 'alice' })).toEqual({ decision: 'approve', by: 'alice' });
    expect(DecideInput.parse({ decision: 'reject', by: 'alice', reason: 'no' })).toEqual({
      decision: 'reject',
      by: 'alice',
      reason: 'no',
    });
    expect(DecideInput.safeParse({ decision: 'reject', by: 'alice' }).success).toBe(false);
    expect(DecideInput.safeParse({ decision: 'reply', by: 'alice', text: 'x' }).success).toBe(false);
  });

  it('refuses an empty requestId', () => {
    expect(ApproveInput.safeParse({ by: 'alice', requestId: '' }).success).toBe(false);
  });
});

describe('parseMessage', () => {
  it('returns the parsed value of a valid body', () => {
    expect(parseMessage(RejectInput, 'reject', { by: ' bob ', reason: 'frozen', requestId: 'req-1' })).toEqual({
      ok: true,
      value: { by: 'bob', reason: 'frozen', requestId: 'req-1' },
    });
  });

  it('accepts a missing body for messages whose fields are all optional', () => {
    expect(parseMessage(PauseInput, 'pause', undefined)).toEqual({ ok: true, value: {} });
    expect(parseMessage(ResumeInput, 'resume', null)).toEqual({ ok: true, value: {} });
  });

  it('refuses a body without "by", naming the field', () => {
    const { reason, event } = refusedBody(parseMessage(ApproveInput, 'approve', { requestId: 'req-1' }));
    expect(reason).toMatch(/^malformed approve body: by: /);
    expect(event).toEqual({ type: 'decision_refused', message: 'approve', by: undefined, reason });
  });

  it('refuses a blank "by", naming the field and saying what it needs', () => {
    const { reason } = refusedBody(parseMessage(ApproveInput, 'approve', { by: '  ' }));
    expect(reason).toBe('malformed approve body: by: say who decides: "by" must be a non-empty string');
  });

  it('refuses a rejection without a reason, naming the field and keeping who sent it', () => {
    const { reason, event } = refusedBody(parseMessage(RejectInput, 'reject', { by: 'bob' }));
    expect(reason).toMatch(/^malformed reject body: reason: /);
    expect(event).toEqual({ type: 'decision_refused', message: 'reject', by: 'bob', reason });
  });

  it('refuses a rejection with a blank reason, saying the agent needs one', () => {
    const parsed = parseMessage(RejectInput, 'reject', { by: 'bob', reason: '   ' });
    expect(parsed).toMatchObject({
      ok: false,
      reason: 'malformed reject body: reason: a rejection needs a reason the agent can act on',
    });
  });

  it('refuses a reply without text, naming the field', () => {
    const parsed = parseMessage(ReplyInput, 'reply', { by: 'alice' });
    expect(parsed).toMatchObject({ ok: false, reason: expect.stringMatching(/^malformed reply body: text: /) });
  });

  it.each([
    ['a string', 'approve it'],
    ['a number', 42],
    ['an array', ['alice']],
    ['a boolean', true],
  ])('refuses a body that is %s, naming the body as the problem', (_label, raw) => {
    const { reason, event } = refusedBody(parseMessage(ApproveInput, 'approve', raw));
    expect(reason).toMatch(/^malformed approve body: \(body\): .*expected object/);
    expect(event).toEqual({ type: 'decision_refused', message: 'approve', by: undefined, reason });
  });

  it('treats a null body as an empty one, naming the missing fields', () => {
    const { reason, event } = refusedBody(parseMessage(RejectInput, 'reject', null));
    expect(reason).toMatch(/^malformed reject body: by: .*; reason: /);
    expect(event).toMatchObject({ type: 'decision_refused', message: 'reject', by: undefined });
  });

  it('does not claim a sender when "by" is not a string', () => {
    const parsed = parseMessage(ApproveInput, 'approve', { by: 42 });
    expect(parsed).toMatchObject({ ok: false, event: { by: undefined } });
  });

  it('produces refusal events that are valid thread events once stamped', () => {
    for (const raw of ['x', null, 7, {}, { by: 'bob' }, { by: 42 }]) {
      const parsed = parseMessage(RejectInput, 'reject', raw);
      if (parsed.ok) throw new Error('expected a refusal');
      expect(DecisionRefused.safeParse(ev(parsed.event)).success).toBe(true);
    }
  });
});

describe('parseDecisionSignal', () => {
  it('gives each signal body as a decision with its action, fields trimmed', () => {
    expect(parseDecisionSignal('approve', { by: ' bob ', comment: 'go' })).toEqual({
      ok: true,
      value: { action: 'approve', by: 'bob', comment: 'go' },
    });
    expect(parseDecisionSignal('reject', { by: 'bob', reason: ' frozen ' })).toEqual({
      ok: true,
      value: { action: 'reject', by: 'bob', reason: 'frozen' },
    });
    expect(parseDecisionSignal('reply', { by: 'ann', text: 'main', requestId: 'req-1' })).toEqual({
      ok: true,
      value: { action: 'reply', by: 'ann', text: 'main', requestId: 'req-1' },
    });
  });

  it("refuses a body that fails its action's schema with the refusal event to record", () => {
    const parsed = parseDecisionSignal('reject', { by: 'bob' });
    expect(parsed).toMatchObject({ ok: false, event: { type: 'decision_refused', message: 'reject', by: 'bob' } });
  });
});

describe('parseDecideInput', () => {
  it('gives the update body as a decision named by its verdict', () => {
    expect(parseDecideInput({ decision: 'approve', by: ' dave ', requestId: 'req-1' })).toEqual({
      ok: true,
      decision: { action: 'approve', by: 'dave', requestId: 'req-1' },
    });
    expect(parseDecideInput({ decision: 'reject', by: 'dave', reason: 'no' })).toEqual({
      ok: true,
      decision: { action: 'reject', by: 'dave', reason: 'no' },
    });
  });

  it("refuses a malformed body and an undecodable payload with the message the update's sender gets", () => {
    expect(parseDecideInput({ decision: 'reject', by: 'dave' })).toEqual({
      ok: false,
      reason: expect.stringMatching(/^malformed decide body: reason: /),
    });
    expect(parseDecideInput({ decision: 'maybe', by: 'dave' })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^malformed decide body: decision: /),
    });
    expect(parseDecideInput(undecodablePayload('json/protobuf'))).toEqual({
      ok: false,
      reason: expect.stringMatching(/^decision refused: .*json\/protobuf/),
    });
  });
});
