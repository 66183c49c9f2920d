import { createHmac } from 'node:crypto';
import { call, startTestGateway, TEST_TOKEN, type TestGateway } from '../client/gateway-fixture';
import { startInput } from '../client/workflow-input';

const SECRET = 'github-webhook-secret';
let gateway: TestGateway;
const started: string[] = [];

beforeAll(async () => {
  // No worker polls this queue: a started deployWorkflow just waits, which is all these tests look at.
  gateway = await startTestGateway({ taskQueue: `no-worker-${Date.now()}`, token: TEST_TOKEN, githubWebhookSecret: SECRET });
});
afterAll(async () => {
  await Promise.all(started.map((id) => gateway.client.workflow.getHandle(id).terminate('test over').catch(() => {})));
  await gateway?.close();
});

const sign = (body: string, secret = SECRET) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

function mergedPullRequest(overrides: { merged?: boolean; action?: string } = {}) {
  return {
    action: overrides.action ?? 'closed',
    pull_request: { number: 7, merged: overrides.merged ?? true, merge_commit_sha: 'a1b2c3d4', merged_by: { login: 'octocat' } },
    repository: { full_name: 'acme/shop' },
    sender: { login: 'someone-else' },
  };
}

/** A delivery as GitHub sends it: the raw JSON, its event and delivery id, signed unless told otherwise. */
function deliver(event: string, payload: unknown, options: { delivery?: string; signature?: string | null } = {}) {
  const body = JSON.stringify(payload);
  const headers: Record<string, string> = { 'x-github-event': event, 'x-github-delivery': options.delivery ?? `d-${Date.now()}-${Math.random()}` };
  const signature = options.signature === undefined ? sign(body) : options.signature;
  if (signature !== null) headers['x-hub-signature-256'] = signature;
  return call(gateway, '/webhooks/github', { body, headers, token: null });
}

test('a merged pull request starts deployWorkflow with its merge commit, once per delivery', async () => {
  const delivery = `merge-${Date.now()}`;
  const first = await deliver('pull_request', mergedPullRequest(), { delivery });
  expect(first).toEqual({ status: 201, body: { workflowId: `github-${delivery}` } });
  started.push(`github-${delivery}`);
  const description = await gateway.client.workflow.getHandle(`github-${delivery}`).describe();
  expect(description.type).toBe('deployWorkflow');
  expect(await startInput(gateway.client, `github-${delivery}`)).toEqual({ repo: 'acme/shop', ref: 'a1b2c3d4', requestedBy: 'octocat' });

  const redelivery = await deliver('pull_request', mergedPullRequest(), { delivery });
  expect(redelivery).toEqual({ status: 200, body: { workflowId: `github-${delivery}`, duplicate: true } });
  await gateway.client.workflow.getHandle(`github-${delivery}`).terminate('closed runs are not restarted either');
  expect((await deliver('pull_request', mergedPullRequest(), { delivery })).body).toEqual({ workflowId: `github-${delivery}`, duplicate: true });
});

test('a wrong or missing signature is 401 and starts nothing', async () => {
  const delivery = `forged-${Date.now()}`;
  const wrong = await deliver('pull_request', mergedPullRequest(), { delivery, signature: sign('other body') });
  expect(wrong).toEqual({ status: 401, body: { error: { code: 'invalid_signature', message: expect.stringContaining('TFA_GITHUB_WEBHOOK_SECRET') } } });
  const otherSecret = await deliver('pull_request', mergedPullRequest(), { delivery, signature: sign(JSON.stringify(mergedPullRequest()), 'guess') });
  expect(otherSecret.status).toBe(401);
  const missing = await deliver('pull_request', mergedPullRequest(), { delivery, signature: null });
  expect(missing).toEqual({ status: 401, body: { error: { code: 'missing_signature', message: expect.stringContaining('X-Hub-Signature-256') } } });
  await expect(gateway.client.workflow.getHandle(`github-${delivery}`).describe()).rejects.toThrow(/not found/i);
});

test('events other than a merge are acknowledged with 202 and ignored', async () => {
  const closedUnmerged = await deliver('pull_request', mergedPullRequest({ merged: false }));
  expect(closedUnmerged).toEqual({ status: 202, body: { ignored: expect.stringContaining('not a merge') } });
  const opened = await deliver('pull_request', mergedPullRequest({ action: 'opened', merged: false }));
  expect(opened.body.ignored).toContain('"opened"');
  const push = await deliver('push', { ref: 'refs/heads/main' });
  expect(push).toEqual({ status: 202, body: { ignored: expect.stringContaining('"push"') } });
});

test('a merged pull request without a delivery id or merge commit is a 400', async () => {
  const body = JSON.stringify(mergedPullRequest());
  const noDelivery = await call(gateway, '/webhooks/github', { body, token: null, headers: { 'x-github-event': 'pull_request', 'x-hub-signature-256': sign(body) } });
  expect(noDelivery.body.error.code).toBe('missing_delivery');
  const payload = { ...mergedPullRequest(), pull_request: { merged: true, merge_commit_sha: null } };
  expect((await deliver('pull_request', payload)).body.error.code).toBe('invalid_body');
});

test('without TFA_GITHUB_WEBHOOK_SECRET the route answers 503 and names the variable', async () => {
  const unconfigured = await startTestGateway({ client: gateway.client, taskQueue: 'unused' });
  try {
    const answer = await call(unconfigured, '/webhooks/github', { body: {}, token: null, headers: { 'x-github-event': 'pull_request' } });
    expect(answer).toEqual({ status: 503, body: { error: { code: 'not_configured', message: expect.stringContaining('TFA_GITHUB_WEBHOOK_SECRET') } } });
  } finally {
    await unconfigured.close();
  }
});
