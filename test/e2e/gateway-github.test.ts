import { createHmac } from 'node:crypto';
import { buildGateway } from '../../client/gateway/app';
import { call, startTestGateway, terminateStarted, TEST_TOKEN, type TestGateway } from '../client/gateway-fixture';
import { startInput } from '../client/workflow-input';

const SECRET = 'github-webhook-secret';
let gateway: TestGateway;
const started: string[] = [];
let shaCount = 0;
/** The gateway's clock (ms); merges in these deliveries happened a minute before it. */
const clock = Date.parse('2026-06-01T12:00:00Z');

beforeAll(async () => {
  // No worker polls this queue: a started deployWorkflow just waits, which is all these tests look at.
  gateway = await startTestGateway({
    taskQueue: `no-worker-${Date.now()}`,
    token: TEST_TOKEN,
    githubWebhookSecret: SECRET,
    githubRepository: 'acme/shop',
    now: () => clock,
  });
});
afterAll(async () => {
  await terminateStarted(gateway, started, 'test over');
  await gateway?.close();
});

const sign = (body: string, secret = SECRET) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

/** A merge commit no earlier test has deployed (this file's runs share the test server). */
function freshSha(): string {
  shaCount += 1;
  return createHmac('sha1', 'shas').update(`${Date.now()}-${shaCount}`).digest('hex');
}

interface PullRequestShape {
  merged?: boolean;
  action?: string;
  sha?: string;
  base?: string;
  repository?: string;
  body?: string;
  mergedAt?: number;
}

function mergedPullRequest(shape: PullRequestShape = {}) {
  return {
    action: shape.action ?? 'closed',
    pull_request: {
      number: 7,
      merged: shape.merged ?? true,
      merge_commit_sha: shape.sha ?? freshSha(),
      merged_by: { login: 'octocat' },
      merged_at: new Date(shape.mergedAt ?? clock - 60_000).toISOString(),
      base: { ref: shape.base ?? 'main' },
      body: shape.body ?? 'Fixes the cart.',
    },
    repository: { full_name: shape.repository ?? 'acme/shop' },
    sender: { login: 'someone-else' },
  };
}

/** A delivery as GitHub sends it: the raw JSON, its event and delivery id, signed unless told otherwise. */
function deliver(event: string, payload: unknown, options: { delivery?: string; signature?: string | null } = {}) {
  const body = JSON.stringify(payload);
  const headers: Record<string, string> = {
    'x-github-event': event,
    'x-github-delivery': options.delivery ?? `d-${Date.now()}-${Math.random()}`,
  };
  const signature = options.signature === undefined ? sign(body) : options.signature;
  if (signature !== null) headers['x-hub-signature-256'] = signature;
  return call(gateway, '/webhooks/github', { body, headers, token: null });
}

test('a merged pull request starts deployWorkflow with its merge commit, once per repository and commit', async () => {
  const sha = freshSha();
  const workflowId = `github-acme-shop-${sha}`;
  const delivery = `merge-${Date.now()}`;
  const first = await deliver('pull_request', mergedPullRequest({ sha }), { delivery });
  expect(first).toEqual({ status: 201, body: { workflowId } });
  started.push(workflowId);
  expect((await gateway.client.workflow.getHandle(workflowId).describe()).type).toBe('deployWorkflow');
  expect(await startInput(gateway.client, workflowId)).toEqual({ repo: 'acme/shop', ref: sha, requestedBy: 'octocat' });

  const redelivery = await deliver('pull_request', mergedPullRequest({ sha }), { delivery });
  expect(redelivery).toEqual({ status: 200, body: { workflowId, duplicate: true } });
  await gateway.client.workflow.getHandle(workflowId).terminate('closed runs are not restarted either');
  expect((await deliver('pull_request', mergedPullRequest({ sha }), { delivery })).body).toEqual({
    workflowId,
    duplicate: true,
  });
});

test('the same signed merge under a new X-GitHub-Delivery starts no second pipeline', async () => {
  const payload = mergedPullRequest();
  const first = await deliver('pull_request', payload, { delivery: 'delivery-one' });
  expect(first.status).toBe(201);
  started.push(first.body.workflowId);
  const replayed = await deliver('pull_request', payload, { delivery: `delivery-two-${Date.now()}` });
  expect(replayed).toEqual({ status: 200, body: { workflowId: first.body.workflowId, duplicate: true } });
  const noDelivery = await call(gateway, '/webhooks/github', {
    body: JSON.stringify(payload),
    token: null,
    headers: { 'x-github-event': 'pull_request', 'x-hub-signature-256': sign(JSON.stringify(payload)) },
  });
  expect(noDelivery.body).toEqual({ workflowId: first.body.workflowId, duplicate: true });
});

test('a merge into another branch, or reported from another repository, is acknowledged and deploys nothing', async () => {
  const sha = freshSha();
  const otherBranch = await deliver('pull_request', mergedPullRequest({ sha, base: 'release-1.x' }));
  expect(otherBranch).toEqual({
    status: 202,
    body: { ignored: expect.stringContaining('only merges into main (TFA_DEPLOY_BRANCH)') },
  });
  const otherRepository = await deliver('pull_request', mergedPullRequest({ sha, repository: 'mallory/shop' }));
  expect(otherRepository).toEqual({
    status: 202,
    body: { ignored: expect.stringContaining('is not acme/shop (TFA_GITHUB_REPOSITORY)') },
  });
  await expect(gateway.client.workflow.getHandle(`github-acme-shop-${sha}`).describe()).rejects.toThrow(/not found/i);
});

test('a signed merge replayed more than a day after it merged starts nothing', async () => {
  const sha = freshSha();
  const late = await deliver('pull_request', mergedPullRequest({ sha, mergedAt: clock - 25 * 60 * 60 * 1000 }));
  expect(late).toEqual({ status: 202, body: { ignored: expect.stringContaining('more than a day before now') } });
  await expect(gateway.client.workflow.getHandle(`github-acme-shop-${sha}`).describe()).rejects.toThrow(/not found/i);
});

test('a merged pull request with a 60,000-character description starts its deploy', async () => {
  // GitHub allows 65,536 characters in a description and caps payloads at 25 MB.
  const answer = await deliver('pull_request', mergedPullRequest({ body: 'é'.repeat(60_000) }));
  expect(answer.status).toBe(201);
  started.push(answer.body.workflowId);
});

test('a wrong or missing signature is 401 and starts nothing', async () => {
  const sha = freshSha();
  const wrong = await deliver('pull_request', mergedPullRequest({ sha }), { signature: sign('other body') });
  expect(wrong).toEqual({
    status: 401,
    body: { error: { code: 'invalid_signature', message: expect.stringContaining('TFA_GITHUB_WEBHOOK_SECRET') } },
  });
  const otherSecret = await deliver('pull_request', mergedPullRequest({ sha }), {
    signature: sign(JSON.stringify(mergedPullRequest({ sha })), 'guess'),
  });
  expect(otherSecret.status).toBe(401);
  const missing = await deliver('pull_request', mergedPullRequest({ sha }), { signature: null });
  expect(missing).toEqual({
    status: 401,
    body: { error: { code: 'missing_signature', message: expect.stringContaining('X-Hub-Signature-256') } },
  });
  await expect(gateway.client.workflow.getHandle(`github-acme-shop-${sha}`).describe()).rejects.toThrow(/not found/i);
});

test('events other than a merge are acknowledged with 202 and ignored', async () => {
  const closedUnmerged = await deliver('pull_request', mergedPullRequest({ merged: false }));
  expect(closedUnmerged).toEqual({ status: 202, body: { ignored: expect.stringContaining('not a merge') } });
  const opened = await deliver('pull_request', mergedPullRequest({ action: 'opened', merged: false }));
  expect(opened.body.ignored).toContain('"opened"');
  const push = await deliver('push', { ref: 'refs/heads/main' });
  expect(push).toEqual({ status: 202, body: { ignored: expect.stringContaining('"push"') } });
});

test('a merged pull request without a full merge commit SHA is a 400', async () => {
  const payload = mergedPullRequest();
  expect(
    (await deliver('pull_request', { ...payload, pull_request: { ...payload.pull_request, merge_commit_sha: null } }))
      .body.error.code,
  ).toBe('invalid_body');
  expect((await deliver('pull_request', mergedPullRequest({ sha: 'a1b2c3d4' }))).body.error.code).toBe('invalid_body');
});

test('without TFA_GITHUB_WEBHOOK_SECRET the route answers 503 and names the variable', async () => {
  const unconfigured = await startTestGateway({ client: gateway.client, taskQueue: 'unused' });
  try {
    const answer = await call(unconfigured, '/webhooks/github', {
      body: {},
      token: null,
      headers: { 'x-github-event': 'pull_request' },
    });
    expect(answer).toEqual({
      status: 503,
      body: { error: { code: 'not_configured', message: expect.stringContaining('TFA_GITHUB_WEBHOOK_SECRET') } },
    });
  } finally {
    await unconfigured.close();
  }
});

test('a GitHub secret without the repository whose merges deploy is a configuration error', () => {
  expect(() => buildGateway({ client: gateway.client, taskQueue: 'unused', githubWebhookSecret: SECRET })).toThrow(
    /TFA_GITHUB_REPOSITORY/,
  );
});
