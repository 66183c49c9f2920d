import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { createWebhookChannel } from '../../activities/channels/webhook-channel';
import { createRuns } from '../../client/runs';
import {
  approveSignal,
  decideUpdate,
  pauseSignal,
  rejectSignal,
  resumeSignal,
  threadQuery,
} from '../../workflows/messages';
import { PRODUCTION_THEN_DONE, startDeployRun, updateRefusal } from '../support/awaiting-approval';
import { alice, trustPolicy } from '../support/identities';
import { eventually, startHarness, waitForState, type Harness, type HarnessOptions } from '../support/workflow-harness';
import { callTool } from '../../scripts/scripted-model/server';

let harness: Harness;
afterEach(async () => harness?.close());

async function startRun(options: HarnessOptions) {
  harness = await startHarness(options);
  return startDeployRun(harness, 'humans');
}

test('a pause between choosing a tool and running it holds the tool until resume, whose feedback reaches the model', async () => {
  // The model holds its reply until the pause is acknowledged: the test, not a delay, decides the order.
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const handle = await startRun({
    script: [
      { waitFor: held, then: callTool('deploy_to_staging', { ref: 'main' }) },
      callTool('done_for_now', { message: 'ok' }),
    ],
  });
  await eventually(() => harness.model.requests.length === 1); // the model is choosing right now
  await handle.signal(pauseSignal, { by: 'alice', reason: 'checking the release notes' });
  await waitForState(handle, (state) => state.pauseRequested?.by === 'alice');
  release();
  const paused = await waitForState(handle, (state) => state.status === 'paused');
  expect(paused.lastToolCall).toMatchObject({ tool: 'deploy_to_staging' });
  const { events } = await handle.query(threadQuery);
  expect(events.map((event) => event.type).slice(-2)).toEqual(['tool_call', 'paused']);

  await handle.signal(resumeSignal, { by: 'alice', feedback: 'release notes are fine, go ahead' });
  expect(await handle.result()).toMatchObject({ status: 'completed' });
  const after = (await handle.query(threadQuery)).events.map((event) => event.type);
  expect(after.slice(after.indexOf('paused'))).toEqual(['paused', 'resumed', 'tool_result', 'tool_call', 'done']);
  expect(JSON.stringify(harness.model.requests[1]!.body.messages)).toContain('release notes are fine, go ahead');
});

test('the decide update refuses unknown requests, missing reasons and approvers not on the list, then accepts a real decision', async () => {
  const handle = await startRun({ script: PRODUCTION_THEN_DONE, policy: trustPolicy() });
  const { pending } = await waitForState(handle, (state) => state.status === 'awaiting_approval');
  const decide = (input: object) => handle.executeUpdate(decideUpdate, { args: [input as never] });

  expect(await updateRefusal(decide({ decision: 'approve', by: 'alice', requestId: 'nope' }))).toContain(
    `unknown request nope; the pending request is ${pending!.requestId}`,
  );
  expect(await updateRefusal(decide({ decision: 'reject', by: 'alice' }))).toContain('reason');
  expect(await updateRefusal(decide({ decision: 'approve', by: 'mallory' }))).toContain(
    'mallory may not approve deploy_to_production; allowed: alice',
  );

  const runs = createRuns(harness.client, harness.taskQueue);
  expect(await runs.approve(handle.workflowId, { by: 'alice', comment: 'ok' }, alice.sign)).toEqual({
    workflowId: handle.workflowId,
    requestId: pending!.requestId,
    decision: 'approve',
  });
  expect(
    await updateRefusal(runs.approve(handle.workflowId, { by: 'alice', requestId: pending!.requestId }, alice.sign)),
  ).toContain('already decided');
  expect(await handle.result()).toMatchObject({ status: 'completed' });
});

test('a forged approval signal and a malformed one are recorded and change nothing', async () => {
  const handle = await startRun({ script: PRODUCTION_THEN_DONE, policy: trustPolicy() });
  await waitForState(handle, (state) => state.status === 'awaiting_approval');
  await handle.signal(approveSignal, { by: 'mallory' });
  await handle.signal(approveSignal, { by: 42 } as never);
  await handle.signal(rejectSignal, { by: 'alice' } as never);

  const { events, state } = await handle.query(threadQuery);
  expect(state.status).toBe('awaiting_approval');
  const refusals = events.filter((event) => event.type === 'decision_refused');
  expect(refusals).toEqual([
    expect.objectContaining({
      message: 'approve',
      by: 'mallory',
      reason: expect.stringContaining('mallory may not approve'),
    }),
    expect.objectContaining({ message: 'approve', reason: expect.stringContaining('malformed approve body: by:') }),
    expect.objectContaining({ message: 'reject', by: 'alice', reason: expect.stringContaining('reason') }),
  ]);
  await createRuns(harness.client, harness.taskQueue).approve(handle.workflowId, { by: 'alice' }, alice.sign);
  expect(await handle.result()).toMatchObject({ status: 'completed' });
});

test('an unanswered approval escalates after its timeout, then ends timed_out with a readable reason', async () => {
  const policy = {
    defaultApprovers: 'anyone' as const,
    agents: { deploybot: { requestTimeoutMs: 1000, escalationTimeoutMs: 1000, escalateTo: 'oncall-lead' } },
  };
  const handle = await startRun({ script: PRODUCTION_THEN_DONE, policy });
  const result = await handle.result();
  expect(result.status).toBe('timed_out');
  expect(result.reason).toMatch(
    /nobody answered request \S+ \(deploy_to_production \{"ref":"main","sha":"[0-9a-f]{40}"\}\) within 2 s, escalation to oncall-lead included/,
  );
  const { events } = await handle.query(threadQuery);
  expect(events.map((event) => event.type).slice(-3)).toEqual(['approval_requested', 'request_escalated', 'run_ended']);
  expect(harness.notifications.some((text) => text.includes('ESCALATED to oncall-lead'))).toBe(true);
});

test('the webhook channel posts a notice the receiver verifies with the standardwebhooks package', async () => {
  const secret = `whsec_${Buffer.from('a-shared-secret-of-some-length').toString('base64')}`;
  const received: Array<{ verified: boolean; body: Record<string, unknown> }> = [];
  const receiver = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const raw = Buffer.concat(chunks);
      const verified = (() => {
        try {
          new Webhook(secret).verify(raw, request.headers as Record<string, string>);
          return true;
        } catch {
          return false;
        }
      })();
      received.push({ verified, body: JSON.parse(raw.toString()) });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  try {
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/tfa`;
    const handle = await startRun({ script: PRODUCTION_THEN_DONE, channel: createWebhookChannel({ url, secret }) });
    const { pending } = await waitForState(handle, (state) => state.status === 'awaiting_approval');
    const notice = await eventually(() => received[0]);
    expect(notice.verified).toBe(true);
    expect(notice.body).toMatchObject({
      type: 'human_needed',
      kind: 'approval',
      requestId: pending!.requestId,
      workflowId: handle.workflowId,
    });
    expect(notice.body.commands).toEqual(expect.arrayContaining([expect.stringContaining('--name approve')]));
    await handle.signal(approveSignal, { by: 'alice' });
    await handle.result();
  } finally {
    receiver.closeAllConnections();
    await new Promise((resolve) => receiver.close(resolve));
  }
});

test('a channel that keeps failing is retried, then recorded as an error while the request stays pending', async () => {
  const failing = {
    name: 'broken',
    send: async () => {
      throw new Error('channel is down');
    },
  };
  const handle = await startRun({ script: PRODUCTION_THEN_DONE, channel: failing });
  const { events, state } = await eventually(async () => {
    const view = await handle.query(threadQuery);
    return view.events.some((event) => event.type === 'error' && event.source === 'notify') ? view : undefined;
  }, 20_000);
  expect(state.status).toBe('awaiting_approval');
  expect(events.find((event) => event.type === 'error')).toMatchObject({
    source: 'notify',
    message: 'channel is down',
  });
  expect(state.consecutiveErrors).toBe(0);
  await handle.signal(approveSignal, { by: 'alice' });
  expect(await handle.result()).toMatchObject({ status: 'completed' });
});

test('the visibility query on TfaStatus finds the runs waiting for approval', async () => {
  const handle = await startRun({ script: PRODUCTION_THEN_DONE });
  await waitForState(handle, (state) => state.status === 'awaiting_approval');
  const query = `TfaStatus = 'awaiting_approval' AND TaskQueue = '${harness.taskQueue}'`;
  const found = await pollList(query, (ids) => ids.includes(handle.workflowId));
  expect(found).toEqual([handle.workflowId]);
  await handle.signal(approveSignal, { by: 'alice' });
  await handle.result();
  expect(
    await pollList(`TfaStatus = 'completed' AND TaskQueue = '${harness.taskQueue}'`, (ids) => ids.length === 1),
  ).toEqual([handle.workflowId]);
});

/** Visibility is eventually consistent: list until `done` holds. */
function pollList(query: string, done: (ids: string[]) => boolean): Promise<string[]> {
  return eventually(async () => {
    const ids: string[] = [];
    for await (const run of harness.client.workflow.list({ query })) ids.push(run.workflowId);
    return done(ids) ? ids : undefined;
  });
}
