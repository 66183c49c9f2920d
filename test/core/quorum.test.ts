import fc from 'fast-check';
import { evaluateDecision, statementFor, type Decision, type DecisionPolicy } from '../../core/decisions';
import { publicKeyOf, signStatement } from '../../core/identity';
import { coverage, describeApprovers, PolicyFile, type Approvers } from '../../core/policy';
import { describeQuorum, quorumOf } from '../../core/quorum';
import { replay, type AgentState } from '../../core/reducer';
import { ThreadEvent, type EventOf, type NewEvent } from '../../core/thread';
import { quorumNote } from '../../core/waiting';
import { eventFactory } from './support/events';

const WORKFLOW_ID = 'quorum-run';
const DIGEST = 'sha256:pinned';
const PEOPLE = ['alice', 'bob', 'carol', 'mallory'] as const;
type Name = (typeof PEOPLE)[number];

const privateKeys = Object.fromEntries(
  PEOPLE.map((name, seed) => [name, Uint8Array.from({ length: 32 }, (_, index) => (seed * 53 + index * 11 + 1) % 256)]),
) as Record<Name, Uint8Array>;

const TWO_OF_THREE: Approvers = { anyOf: ['alice', 'bob', 'carol'], count: 2 };

function policyWith(approvers: Approvers): DecisionPolicy {
  return {
    identity: 'verified',
    approvers: { deploy_to_production: approvers },
    keys: Object.fromEntries(PEOPLE.map((name) => [name, publicKeyOf(privateKeys[name])])),
    attesters: {},
  };
}

/** A run waiting on request req-1 under `approvers`, as the workflow records it. */
function waitingThread(approvers: Approvers): ThreadEvent[] {
  const stamp = eventFactory();
  const quorum = quorumOf(approvers);
  return [
    stamp({ type: 'run_started', agent: 'deploybot', maxSteps: 12 }),
    stamp({
      type: 'tool_call',
      callId: 'call-1',
      tool: 'deploy_to_production',
      kind: 'approval',
      args: { ref: 'main' },
    }),
    stamp({
      type: 'approval_requested',
      requestId: 'req-1',
      callId: 'call-1',
      tool: 'deploy_to_production',
      args: { ref: 'main', sha: 'abc' },
      argsDigest: DIGEST,
      ...(quorum ? { quorum } : {}),
    }),
  ];
}

/** `by`'s decision on the pending request, signed with their own key over exactly that request. */
function signed(state: AgentState, decision: Decision): Decision {
  const statement = statementFor(WORKFLOW_ID, state.pending!, decision, 'signature');
  return {
    ...decision,
    signature: { signer: decision.by, value: signStatement(privateKeys[decision.by as Name], statement) },
  };
}

const approval = (by: Name, extra: Partial<Decision> = {}): Decision =>
  ({ action: 'approve', requestId: 'req-1', by, ...extra }) as Decision;
const rejection = (by: Name, reason = 'change freeze'): Decision => ({
  action: 'reject',
  requestId: 'req-1',
  by,
  reason,
});

/** Applies each decision in turn as the workflow does: the outcome's event lands in the thread, accepted or not. */
function decideAll(approvers: Approvers, decisions: Decision[], sign = true): ThreadEvent[] {
  const policy = policyWith(approvers);
  const stamp = eventFactory();
  const events = waitingThread(approvers);
  for (const decision of decisions) {
    const state = replay(events);
    const outcome = evaluateDecision(
      state,
      sign && state.pending ? signed(state, decision) : decision,
      policy,
      WORKFLOW_ID,
    );
    events.push(stamp(outcome.event as NewEvent));
  }
  return events;
}

const ofType = <T extends ThreadEvent['type']>(events: ThreadEvent[], type: T) =>
  events.filter((event): event is EventOf<T> => event.type === type);
const refusals = (events: ThreadEvent[]) => ofType(events, 'decision_refused').map((event) => event.reason);

describe('the policy file: quorums beside plain lists', () => {
  it('reads a plain list, anyOf with a count and allOf', () => {
    const file = PolicyFile.parse({
      agents: {
        deploybot: {
          approvers: {
            rollback: ['alice', 'bob'],
            deploy_to_production: { anyOf: ['alice', 'bob', 'carol'], count: 2 },
            deploy_to_staging: { allOf: ['alice', 'bob'] },
          },
        },
      },
    });
    const approvers = file.agents.deploybot!.approvers!;
    expect(
      Object.fromEntries(Object.entries(approvers).map(([tool, entry]) => [tool, describeApprovers(entry)])),
    ).toEqual({
      rollback: 'alice, bob',
      deploy_to_production: '2 of alice, bob, carol',
      deploy_to_staging: 'all of alice, bob',
    });
  });

  it.each([
    { entry: { anyOf: ['alice', 'bob'], count: 3 }, problem: 'count cannot exceed' },
    { entry: { anyOf: ['alice', 'alice'], count: 2 }, problem: 'count cannot exceed' },
    { entry: { anyOf: ['alice'], count: 0 }, problem: '' },
    { entry: { anyOf: [], count: 1 }, problem: '' },
    { entry: { allOf: ['alice'], count: 1 }, problem: '' },
  ])('refuses the quorum $entry', ({ entry, problem }) => {
    const parsed = PolicyFile.safeParse({ agents: { deploybot: { approvers: { rollback: entry } } } });
    expect(parsed.success).toBe(false);
    expect(JSON.stringify(parsed.error?.issues)).toContain(problem);
  });

  it('is printed at worker start, and a quorum member who cannot prove who they are stops it', () => {
    const file = PolicyFile.parse({
      people: { alice: { publicKey: publicKeyOf(privateKeys.alice) } },
      agents: { deploybot: { approvers: { deploy_to_production: TWO_OF_THREE } } },
    });
    const { lines, problems } = coverage({ kind: 'file', file }, { deploybot: ['deploy_to_production'] });
    expect(lines).toEqual(['deploybot.deploy_to_production: 2 of alice, bob, carol']);
    expect(problems).toEqual([
      expect.stringContaining('deploybot.deploy_to_production: bob cannot prove who they are'),
      expect.stringContaining('deploybot.deploy_to_production: carol cannot prove who they are'),
    ]);
  });

  it('records a quorum on the request only when more than one approval is needed', () => {
    expect(quorumOf(['alice', 'bob'])).toBeNull();
    expect(quorumOf('anyone')).toBeNull();
    expect(quorumOf({ anyOf: ['alice', 'bob'], count: 1 })).toBeNull();
    expect(quorumOf({ allOf: ['alice'] })).toBeNull();
    expect(quorumOf(TWO_OF_THREE)).toEqual({ of: ['alice', 'bob', 'carol'], count: 2 });
    expect(quorumOf({ allOf: ['alice', 'bob', 'alice'] })).toEqual({ of: ['alice', 'bob'], count: 2 });
  });

  it('says who approved and who is still needed', () => {
    const quorum = { of: ['alice', 'bob', 'carol'], count: 2 };
    expect(describeQuorum(quorum, [])).toBe(
      'approved by nobody yet (0 of 2 needed); still needed: 2 more of alice, bob, carol',
    );
    expect(describeQuorum(quorum, ['bob'])).toBe(
      'approved by bob (1 of 2 needed); still needed: 1 more of alice, carol',
    );
    expect(describeQuorum({ ...quorum, count: 3 }, ['bob'])).toBe(
      'approved by bob (1 of 3 needed); still needed: alice and carol',
    );
  });
});

describe('evaluateDecision under a quorum', () => {
  it('counts the first of two approvals and keeps the request pending, with who approved and who is still needed', () => {
    const events = decideAll(TWO_OF_THREE, [approval('alice', { comment: 'looks right' })]);
    expect(ofType(events, 'approval_counted')).toEqual([
      expect.objectContaining({
        requestId: 'req-1',
        by: 'alice',
        argsDigest: DIGEST,
        comment: 'looks right',
        verified: 'signature',
      }),
    ]);
    const { status, pending } = replay(events);
    expect(status).toBe('awaiting_approval');
    expect(quorumNote(pending!)).toBe('approved by alice (1 of 2 needed); still needed: 1 more of bob, carol');
    for (const event of events) expect(ThreadEvent.safeParse(event).success).toBe(true);
  });

  it('grants the request with the second distinct approval, naming both approvers', () => {
    const events = decideAll(TWO_OF_THREE, [approval('carol'), approval('alice')]);
    expect(ofType(events, 'approval_granted')).toEqual([
      expect.objectContaining({
        requestId: 'req-1',
        by: 'alice',
        approvedBy: ['carol', 'alice'],
        verified: 'signature',
      }),
    ]);
    expect(replay(events)).toMatchObject({ status: 'running', pending: null, resolvedRequestIds: ['req-1'] });
  });

  it('refuses the same person approving twice: their second approval does not count', () => {
    const events = decideAll(TWO_OF_THREE, [approval('alice'), approval('alice')]);
    expect(refusals(events)).toEqual([
      'alice already approved request req-1; approved by alice (1 of 2 needed); still needed: 1 more of bob, carol',
    ]);
    expect(replay(events).status).toBe('awaiting_approval');
  });

  it('rejects the whole request on one rejection with its reason, even after approvals', () => {
    const events = decideAll(TWO_OF_THREE, [approval('alice'), rejection('bob', 'the migration is not reviewed')]);
    expect(ofType(events, 'approval_rejected')).toEqual([
      expect.objectContaining({ by: 'bob', reason: 'the migration is not reviewed', verified: 'signature' }),
    ]);
    expect(ofType(events, 'approval_granted')).toEqual([]);
    expect(replay(events)).toMatchObject({ status: 'running', pending: null });
  });

  it('needs every one of allOf', () => {
    const events = decideAll({ allOf: ['alice', 'bob', 'carol'] }, [approval('alice'), approval('carol')]);
    expect(quorumNote(replay(events).pending!)).toBe('approved by alice, carol (2 of 3 needed); still needed: bob');
    const all = decideAll({ allOf: ['alice', 'bob', 'carol'] }, [
      approval('alice'),
      approval('carol'),
      approval('bob'),
    ]);
    expect(ofType(all, 'approval_granted')).toEqual([
      expect.objectContaining({ approvedBy: ['alice', 'carol', 'bob'] }),
    ]);
  });

  it('refuses someone outside anyOf, even with a valid signature of their own', () => {
    const events = decideAll(TWO_OF_THREE, [approval('mallory')]);
    expect(refusals(events)).toEqual(['mallory may not approve deploy_to_production; allowed: alice, bob, carol']);
  });

  it('refuses an unsigned approval that only claims a name on the list', () => {
    const events = decideAll(TWO_OF_THREE, [approval('bob')], false);
    expect(refusals(events)).toEqual([expect.stringContaining("bob's identity is not verified")]);
    expect(replay(events).pending!.approvedBy).toEqual([]);
  });

  it("refuses an approval for other arguments: a stated digest that is not the request's, or a signature over another digest", () => {
    const stale = decideAll(TWO_OF_THREE, [approval('alice', { argsDigest: 'sha256:older' })]);
    expect(refusals(stale)).toEqual([
      `request req-1 is for arguments ${DIGEST}, not sha256:older: look at the request again (tfa status) before deciding`,
    ]);
    const state = replay(waitingThread(TWO_OF_THREE));
    const elsewhere = { ...state.pending!, argsDigest: 'sha256:older' };
    const decision = approval('alice');
    const value = signStatement(privateKeys.alice, statementFor(WORKFLOW_ID, elsewhere, decision, 'signature'));
    const outcome = evaluateDecision(
      state,
      { ...decision, signature: { signer: 'alice', value } },
      policyWith(TWO_OF_THREE),
      WORKFLOW_ID,
    );
    expect(outcome).toMatchObject({
      accepted: false,
      reason: expect.stringContaining("alice's signature does not match"),
    });
  });

  it('refuses an approval replayed onto another request, and one after the request was decided', () => {
    const events = decideAll(TWO_OF_THREE, [approval('alice'), approval('bob')]);
    const after = replay(events);
    const late = evaluateDecision(after, approval('carol'), policyWith(TWO_OF_THREE), WORKFLOW_ID);
    expect(late).toMatchObject({ accepted: false, reason: 'request req-1 was already decided' });
    // alice's approval of req-1, sent again against a new request with the same arguments.
    const stamp = eventFactory();
    const next = [
      ...events,
      stamp({
        type: 'approval_requested',
        requestId: 'req-2',
        callId: 'call-2',
        tool: 'deploy_to_production',
        args: {},
        argsDigest: DIGEST,
        quorum: quorumOf(TWO_OF_THREE)!,
      }),
    ];
    const firstApproval = signed(replay(waitingThread(TWO_OF_THREE)), approval('alice'));
    const replayed = evaluateDecision(
      replay(next),
      { ...firstApproval, requestId: 'req-2' },
      policyWith(TWO_OF_THREE),
      WORKFLOW_ID,
    );
    expect(replayed).toMatchObject({
      accepted: false,
      reason: expect.stringContaining("alice's signature does not match"),
    });
    expect(replay(next).pending).toMatchObject({ requestId: 'req-2', approvedBy: [] });
  });

  it('keeps a plain list as it was: the first listed approver decides alone, with no quorum recorded', () => {
    const events = decideAll(['alice', 'bob'], [approval('bob')]);
    expect(events.find((event) => event.type === 'approval_requested')).not.toHaveProperty('quorum');
    expect(ofType(events, 'approval_granted')).toEqual([
      expect.not.objectContaining({ approvedBy: expect.anything() }),
    ]);
    expect(ofType(events, 'approval_counted')).toEqual([]);
  });
});

describe('the quorum rule, for any order of decisions', () => {
  const anyDecision = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...PEOPLE).map((by) => approval(by)) },
    { weight: 1, arbitrary: fc.constantFrom(...PEOPLE).map((by) => rejection(by)) },
  );
  const anyQuorum = fc.oneof(
    fc.integer({ min: 1, max: 3 }).map((count): Approvers => ({ anyOf: ['alice', 'bob', 'carol'], count })),
    fc.constant<Approvers>({ allOf: ['alice', 'bob', 'carol'] }),
  );

  it('grants only once enough distinct approvers on the list approved, before any rejection, and decides at most once', () => {
    fc.assert(
      fc.property(anyQuorum, fc.array(anyDecision, { maxLength: 8 }), (approvers, decisions) => {
        const events = decideAll(approvers, decisions);
        const needed = quorumOf(approvers)?.count ?? 1;
        const decided = events.filter(
          (event) => event.type === 'approval_granted' || event.type === 'approval_rejected',
        );
        expect(decided.length).toBeLessThanOrEqual(1);
        const eligible = decisions.filter((decision) => decision.by !== 'mallory');
        const firstReject = eligible.findIndex((decision) => decision.action === 'reject');
        const before = firstReject < 0 ? eligible : eligible.slice(0, firstReject);
        const distinct = [...new Set(before.map((decision) => decision.by))];
        const granted = ofType(events, 'approval_granted')[0];
        if (distinct.length >= needed) {
          expect(granted?.approvedBy ?? [granted?.by]).toEqual(distinct.slice(0, needed));
        } else {
          expect(granted).toBeUndefined();
          if (firstReject >= 0) expect(ofType(events, 'approval_rejected')).toHaveLength(1);
        }
        expect(ofType(events, 'approval_counted').length).toBeLessThan(needed);
      }),
    );
  });
});
