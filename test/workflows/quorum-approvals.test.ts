import type { WorkflowHandle } from '@temporalio/client';
import type { Activities } from '../../activities';
import type { ExecuteToolInput } from '../../activities/execute-tool';
import { personalSigner } from '../../client/keys';
import { formatStatus } from '../../client/format-status';
import { createRuns } from '../../client/runs';
import { statementFor, type Decision } from '../../core/decisions';
import { publicKeyOf } from '../../core/identity';
import type { Approvers, PolicyFile } from '../../core/policy';
import { AGENT_WORKFLOW_TYPE } from '../../core/constants';
import type { PendingRequest } from '../../core/reducer';
import type { AgentWorkflowInput } from '../../core/run';
import type { EventOf, ThreadEventType } from '../../core/thread';
import { callTool } from '../../scripts/scripted-model/server';
import { approveSignal, threadQuery } from '../../workflows/messages';
import { PRODUCTION_THEN_DONE, startDeployRun, updateRefusal } from '../support/awaiting-approval';
import { alice, bob, mallory, testGatewayIdentity, trustPolicy, type TestPerson } from '../support/identities';
import { call, startTestGateway, TEST_TOKEN, type TestGateway } from '../client/gateway-fixture';
import { closeAll } from '../support/close-all';
import {
  eventually,
  floodUntilContinuedAsNew,
  startHarness,
  waitForState,
  type Harness,
} from '../support/workflow-harness';

const carolKey = Uint8Array.from({ length: 32 }, (_, index) => (index * 13 + 101) % 256);
const carol: Pick<TestPerson, 'name' | 'sign'> = { name: 'carol', sign: personalSigner('carol', carolKey) };
const TWO_OF_THREE: Approvers = { anyOf: ['alice', 'bob', 'carol'], count: 2 };

/** trustPolicy with carol's key, and DeployBot's production deploys needing two of alice, bob and carol. */
function quorumPolicy(deploybot: NonNullable<PolicyFile['agents']>[string] = {}): Partial<PolicyFile> {
  const policy = trustPolicy();
  return {
    ...policy,
    people: { ...policy.people, carol: { publicKey: publicKeyOf(carolKey) } },
    agents: { deploybot: { approvers: { deploy_to_production: TWO_OF_THREE, rollback: ['alice'] }, ...deploybot } },
  };
}

let harness: Harness;
let gateway: TestGateway | undefined;
afterEach(async () => {
  await closeAll(gateway, harness);
  gateway = undefined;
});

/** Each executeTool call the worker ran, to count deploys. */
let toolRuns: ExecuteToolInput[];

async function startQuorumRun(
  script = PRODUCTION_THEN_DONE,
  deploybot = {},
  input: Partial<AgentWorkflowInput> = {},
): Promise<WorkflowHandle> {
  toolRuns = [];
  harness = await startHarness({
    script,
    policy: quorumPolicy(deploybot),
    wrapActivities: (activities): Activities => ({
      ...activities,
      executeTool: async (input) => {
        toolRuns.push(input);
        return activities.executeTool(input);
      },
    }),
  });
  if (Object.keys(input).length === 0) return startDeployRun(harness, 'quorum');
  return harness.client.workflow.start(AGENT_WORKFLOW_TYPE, {
    taskQueue: harness.taskQueue,
    workflowId: `quorum-${Date.now()}-${Math.random().toString(36).slice(2)}`,
    args: [{ agent: 'deploybot', message: 'deploy main to production', ...input }],
  });
}

async function pendingApproval(handle: WorkflowHandle): Promise<PendingRequest> {
  return (await waitForState(handle, (state) => state.status === 'awaiting_approval')).pending!;
}

const eventsOf = async <T extends ThreadEventType>(handle: WorkflowHandle, type: T) =>
  (await handle.query(threadQuery)).events.filter((event): event is EventOf<T> => event.type === type);

const deploysRun = () => toolRuns.filter((input) => input.tool === 'deploy_to_production');

/** A signal body approving `pending`, signed by `person` over exactly that request. */
function signedApproval(handle: WorkflowHandle, pending: PendingRequest, person: Pick<TestPerson, 'name' | 'sign'>) {
  const decision: Decision = { action: 'approve', requestId: pending.requestId, by: person.name };
  const { via: _via, ...statement } = statementFor(handle.workflowId, pending, decision, 'signature');
  return { requestId: pending.requestId, by: person.name, signature: person.sign(statement) };
}

test('two of three approvers approve: status, notice and Web UI show who is still needed, then the deploy runs exactly once with the pinned arguments', async () => {
  const handle = await startQuorumRun();
  const pending = await pendingApproval(handle);
  expect(pending.quorum).toEqual({ of: ['alice', 'bob', 'carol'], count: 2 });
  await eventually(() =>
    harness.notifications.some((text) =>
      text.includes('approved by nobody yet (0 of 2 needed); still needed: 2 more of alice, bob, carol'),
    ),
  );
  const runs = createRuns(harness.client, harness.taskQueue);

  const first = await runs.approve(handle.workflowId, { requestId: pending.requestId, by: 'alice' }, alice.sign);
  const progress = 'approved by alice (1 of 2 needed); still needed: 1 more of bob, carol';
  expect(first).toMatchObject({ requestId: pending.requestId, decision: 'approve', approvals: progress });
  const snapshot = await handle.query(threadQuery);
  expect(snapshot.state).toMatchObject({ status: 'awaiting_approval', pending: { approvedBy: ['alice'] } });
  expect(formatStatus(handle.workflowId, snapshot)).toContain(`  ${progress}`);
  const { currentDetails } = await handle.query<{ currentDetails: string }>('__temporal_workflow_metadata');
  expect(currentDetails).toContain('Approved by alice (1 of 2 needed); still needed: 1 more of bob, carol.');
  expect(deploysRun()).toEqual([]);

  await handle.signal(approveSignal, signedApproval(handle, pending, carol));
  expect(await handle.result()).toMatchObject({ status: 'completed' });
  expect(deploysRun()).toEqual([expect.objectContaining({ args: pending.args })]);
  expect(await eventsOf(handle, 'approval_counted')).toEqual([
    expect.objectContaining({ by: 'alice', argsDigest: pending.argsDigest, verified: 'signature' }),
  ]);
  expect(await eventsOf(handle, 'approval_granted')).toEqual([
    expect.objectContaining({ by: 'carol', approvedBy: ['alice', 'carol'], verified: 'signature' }),
  ]);
});

test('one approves, another rejects with a reason: the request is rejected with it and the deploy never runs', async () => {
  const handle = await startQuorumRun();
  const pending = await pendingApproval(handle);
  const runs = createRuns(harness.client, harness.taskQueue);
  await runs.approve(handle.workflowId, { requestId: pending.requestId, by: 'alice' }, alice.sign);
  await runs.reject(
    handle.workflowId,
    { requestId: pending.requestId, by: 'bob', reason: 'the migration is not reviewed' },
    bob.sign,
  );
  expect(await handle.result()).toMatchObject({ status: 'completed' });
  expect(await eventsOf(handle, 'approval_rejected')).toEqual([
    expect.objectContaining({ by: 'bob', reason: 'the migration is not reviewed', verified: 'signature' }),
  ]);
  expect(await eventsOf(handle, 'approval_granted')).toEqual([]);
  expect(deploysRun()).toEqual([]);
  expect(JSON.stringify(harness.model.requests[1]!.body.messages)).toContain('the migration is not reviewed');
});

test('the same person approving twice, by update or by signal, counts once', async () => {
  const handle = await startQuorumRun();
  const pending = await pendingApproval(handle);
  const runs = createRuns(harness.client, harness.taskQueue);
  await runs.approve(handle.workflowId, { requestId: pending.requestId, by: 'alice' }, alice.sign);
  expect(
    await updateRefusal(runs.approve(handle.workflowId, { requestId: pending.requestId, by: 'alice' }, alice.sign)),
  ).toContain(`alice already approved request ${pending.requestId}`);
  await handle.signal(approveSignal, signedApproval(handle, pending, alice));
  await eventually(async () => (await eventsOf(handle, 'decision_refused')).length === 1);
  const [refusal] = await eventsOf(handle, 'decision_refused');
  expect(refusal).toMatchObject({ by: 'alice', reason: expect.stringContaining('already approved') });
  const { state } = await handle.query(threadQuery);
  expect(state).toMatchObject({ status: 'awaiting_approval', pending: { approvedBy: ['alice'] } });
  expect(deploysRun()).toEqual([]);
});

test('a quorum short of its count escalates and times out as a whole, naming who approved and who was still needed', async () => {
  const handle = await startQuorumRun(PRODUCTION_THEN_DONE, {
    requestTimeoutMs: 4_000,
    escalationTimeoutMs: 4_000,
    escalateTo: 'oncall-lead',
  });
  const pending = await pendingApproval(handle);
  await createRuns(harness.client, harness.taskQueue).approve(
    handle.workflowId,
    { requestId: pending.requestId, by: 'bob' },
    bob.sign,
  );
  const result = await handle.result();
  expect(result.status).toBe('timed_out');
  expect(result.reason).toContain(
    `request ${pending.requestId} (deploy_to_production ${JSON.stringify(pending.args)}) was not approved by enough people within 8 s, escalation to oncall-lead included: approved by bob (1 of 2 needed); still needed: 1 more of alice, carol`,
  );
  const escalation = harness.notifications.find((text) => text.includes('ESCALATED to oncall-lead'));
  expect(escalation).toMatch(/approved by (nobody yet|bob) \(\d of 2 needed\); still needed: /);
  expect(await eventsOf(handle, 'request_escalated')).toHaveLength(1);
  expect(deploysRun()).toEqual([]);
});

test('refused: a claimed name, someone outside the quorum, a stale digest, an approval replayed onto the next request, and one after its request was decided', async () => {
  const twoDeploys = [
    callTool('deploy_to_production', { ref: 'main' }),
    callTool('deploy_to_production', { ref: 'main' }),
    callTool('done_for_now', { message: 'finished' }),
  ];
  const handle = await startQuorumRun(twoDeploys);
  const first = await pendingApproval(handle);
  const runs = createRuns(harness.client, harness.taskQueue);
  const requestId = first.requestId;
  expect(await updateRefusal(runs.approve(handle.workflowId, { requestId, by: 'bob' }))).toContain(
    "bob's identity is not verified",
  );
  expect(await updateRefusal(runs.approve(handle.workflowId, { requestId, by: 'mallory' }, mallory.sign))).toContain(
    'mallory may not approve deploy_to_production; allowed: alice, bob, carol',
  );
  expect(
    await updateRefusal(
      runs.approve(handle.workflowId, { requestId, by: 'alice', argsDigest: 'sha256:older' }, alice.sign),
    ),
  ).toContain(`request ${requestId} is for arguments ${first.argsDigest}, not sha256:older`);

  const alicesFirst = signedApproval(handle, first, alice);
  await handle.signal(approveSignal, alicesFirst);
  await runs.approve(handle.workflowId, { requestId, by: 'carol' }, carol.sign);
  const second = await waitForState(handle, (state) => state.pending !== null && state.pending.requestId !== requestId);
  expect(second.pending).toMatchObject({ argsDigest: first.argsDigest, approvedBy: [] });

  expect(await updateRefusal(runs.approve(handle.workflowId, { requestId, by: 'bob' }, bob.sign))).toContain(
    `request ${requestId} was already decided`,
  );
  await handle.signal(approveSignal, { ...alicesFirst, requestId: second.pending!.requestId });
  await eventually(async () =>
    (await eventsOf(handle, 'decision_refused')).some((event) => event.reason.includes("alice's signature")),
  );
  const { state } = await handle.query(threadQuery);
  expect(state.pending).toMatchObject({ requestId: second.pending!.requestId, approvedBy: [] });
  expect(deploysRun()).toHaveLength(1);
});

test('a run that continues as new mid-quorum keeps who approved: the same person cannot count again, and one more approver completes it', async () => {
  const handle = await startQuorumRun(PRODUCTION_THEN_DONE, {}, { continueAsNewAtHistoryBytes: 150_000 });
  const pending = await pendingApproval(handle);
  const runs = createRuns(harness.client, harness.taskQueue);
  await runs.approve(handle.workflowId, { requestId: pending.requestId, by: 'alice' }, alice.sign);
  const { runId: firstRunId } = await handle.describe();
  await floodUntilContinuedAsNew(handle, firstRunId);
  const { state } = await handle.query(threadQuery);
  expect(state).toMatchObject({
    status: 'awaiting_approval',
    pending: { requestId: pending.requestId, approvedBy: ['alice'] },
  });
  expect(
    await updateRefusal(runs.approve(handle.workflowId, { requestId: pending.requestId, by: 'alice' }, alice.sign)),
  ).toContain('alice already approved');
  await runs.approve(handle.workflowId, { requestId: pending.requestId, by: 'bob' }, bob.sign);
  expect(await handle.result()).toMatchObject({ status: 'completed' });
  expect(deploysRun()).toEqual([expect.objectContaining({ args: pending.args })]);
}, 180_000);

test("through the gateway, each person's own token counts once, vouched for by the gateway, and the answer says who is still needed", async () => {
  const handle = await startQuorumRun();
  const { requestId } = await pendingApproval(handle);
  gateway = await startTestGateway({
    client: harness.client,
    taskQueue: harness.taskQueue,
    token: TEST_TOKEN,
    identity: testGatewayIdentity(),
  });
  const approve = (token: string) =>
    call(gateway!, `/runs/${handle.workflowId}/approve`, { token, body: { requestId } });
  expect(await approve(bob.token)).toMatchObject({
    status: 200,
    body: { requestId, approvals: 'approved by bob (1 of 2 needed); still needed: 1 more of alice, carol' },
  });
  const again = await approve(bob.token);
  expect(again.status).toBe(409);
  expect(again.body.error.message).toContain('bob already approved');
  expect(await approve(alice.token)).toMatchObject({ status: 200, body: { requestId, decision: 'approve' } });
  expect(await handle.result()).toMatchObject({ status: 'completed' });
  expect([...(await eventsOf(handle, 'approval_counted')), ...(await eventsOf(handle, 'approval_granted'))]).toEqual([
    expect.objectContaining({ by: 'bob', verified: 'gateway', attestedBy: 'gateway' }),
    expect.objectContaining({ by: 'alice', verified: 'gateway', approvedBy: ['bob', 'alice'] }),
  ]);
  expect(deploysRun()).toHaveLength(1);
});
