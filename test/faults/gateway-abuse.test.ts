import { createHmac } from 'node:crypto';
import {
  callWithExactHeaders,
  startTestGateway,
  terminateStarted,
  TEST_TOKEN,
  type TestGateway,
} from '../client/gateway-fixture';
import { recordFaultRow } from './fault-table';

// The gateway cases of issue 11's "What was found" (4: replays start new work; 5: rebinding, other
// branches and repositories, a large real payload), sent as an attacker would, in one matrix. No
// worker polls the queue: a started pipeline just waits, and the matrix looks only at what started.
// (Slack and Standard Webhooks replays: test/e2e/gateway-slack.test.ts and gateway-events.test.ts.)

const SECRET = 'github-webhook-secret-for-faults';
const clock = Date.parse('2026-06-01T12:00:00Z');
let github: TestGateway;
let open: TestGateway;
const started: string[] = [];

beforeAll(async () => {
  const taskQueue = `faults-no-worker-${Date.now()}`;
  github = await startTestGateway({
    taskQueue,
    token: TEST_TOKEN,
    githubWebhookSecret: SECRET,
    githubRepository: 'acme/shop',
    now: () => clock,
  });
  open = await startTestGateway({ client: github.client, taskQueue }); // no token: the loopback-only gateway
});
afterAll(async () => {
  await terminateStarted(github, started, 'fault suite over');
  await open?.close();
  await github?.close();
});

/** A JSON POST with exactly these headers, `Host` included (fetch would replace it). */
function send(
  gateway: TestGateway,
  path: string,
  headers: Record<string, string>,
  body: string,
): Promise<{ status: number; body: any }> {
  return callWithExactHeaders(gateway, path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
}

function merge(options: { sha: string; base?: string; repository?: string; description?: string }): string {
  return JSON.stringify({
    action: 'closed',
    pull_request: {
      number: 7,
      merged: true,
      merge_commit_sha: options.sha,
      merged_by: { login: 'octocat' },
      merged_at: new Date(clock - 60_000).toISOString(),
      base: { ref: options.base ?? 'main' },
      body: options.description ?? 'Fixes the cart.',
    },
    repository: { full_name: options.repository ?? 'acme/shop' },
    sender: { login: 'octocat' },
  });
}

function deliver(body: string, delivery: string) {
  const signature = `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;
  return send(
    github,
    '/webhooks/github',
    { 'x-github-event': 'pull_request', 'x-github-delivery': delivery, 'x-hub-signature-256': signature },
    body,
  );
}

const sha = (label: string) => createHmac('sha1', 'faults').update(`${label}-${Date.now()}`).digest('hex');
const exists = (workflowId: string) =>
  github.client.workflow
    .getHandle(workflowId)
    .describe()
    .then(
      () => true,
      () => false,
    );

test('replayed, misrouted and rebinding requests start nothing; a large real merge starts its one deploy', async () => {
  const replayed = sha('replayed');
  const first = await deliver(merge({ sha: replayed }), 'delivery-1');
  started.push(first.body.workflowId);
  const large = sha('large');
  const cases: Record<
    string,
    { answer: () => Promise<{ status: number; body: any }>; refused: boolean; startsNothing?: string }
  > = {
    'abuse 4: the same signed merge under a new X-GitHub-Delivery': {
      answer: () => deliver(merge({ sha: replayed }), `delivery-2-${Date.now()}`),
      refused: true,
    },
    'abuse 5: a merge into another branch': {
      answer: () => deliver(merge({ sha: sha('branch'), base: 'release-1.x' }), `d-branch-${Date.now()}`),
      refused: true,
    },
    'abuse 5: a merge reported from another repository': {
      answer: () => deliver(merge({ sha: sha('repo'), repository: 'mallory/shop' }), `d-repo-${Date.now()}`),
      refused: true,
    },
    'abuse 5: a launch with Host attacker.example on the no-token gateway': {
      answer: () =>
        send(
          open,
          '/agents/deploybot/runs',
          { host: 'attacker.example:8787' },
          JSON.stringify({ message: 'deploy main', workflowId: 'faults-rebound' }),
        ),
      refused: true,
      startsNothing: 'faults-rebound',
    },
    'abuse 5: a cross-origin browser launch': {
      answer: () =>
        send(
          open,
          '/agents/deploybot/runs',
          { origin: 'http://attacker.example' },
          JSON.stringify({ message: 'deploy main', workflowId: 'faults-cross-origin' }),
        ),
      refused: true,
      startsNothing: 'faults-cross-origin',
    },
    'abuse 5: a real merge with a 45 KB description (not an attack)': {
      answer: () => deliver(merge({ sha: large, description: 'd'.repeat(45 * 1024) }), `d-large-${Date.now()}`),
      refused: false,
    },
  };
  const outcome: Record<string, { status: number; started: boolean }> = {};
  for (const [name, abuse] of Object.entries(cases)) {
    const answer = await abuse.answer();
    if (answer.status === 201) started.push(answer.body.workflowId);
    const startedNew =
      answer.status === 201 || (abuse.startsNothing !== undefined && (await exists(abuse.startsNothing)));
    outcome[name] = { status: answer.status, started: startedNew };
  }
  const attacks = Object.entries(cases)
    .filter(([, abuse]) => abuse.refused)
    .map(([name]) => name);
  recordFaultRow({
    scenario:
      'abuse matrix: gateway (replayed merge, other branch, other repository, rebinding Host, cross-origin, 45 KB merge)',
    runs: Object.keys(cases).length,
    completed: Object.values(outcome).filter((each) => each.status < 500).length,
    duplicates: attacks.filter((name) => outcome[name]!.started).length,
    lost: outcome['abuse 5: a real merge with a 45 KB description (not an attack)']!.started ? 0 : 1,
    stuck: 0,
    refused: attacks.filter((name) => !outcome[name]!.started).length,
    secrets: 0,
  });
  expect(first.status).toBe(201);
  expect(outcome).toEqual({
    'abuse 4: the same signed merge under a new X-GitHub-Delivery': { status: 200, started: false },
    'abuse 5: a merge into another branch': { status: 202, started: false },
    'abuse 5: a merge reported from another repository': { status: 202, started: false },
    'abuse 5: a launch with Host attacker.example on the no-token gateway': { status: 403, started: false },
    'abuse 5: a cross-origin browser launch': { status: 403, started: false },
    'abuse 5: a real merge with a 45 KB description (not an attack)': { status: 201, started: true },
  });
}, 120_000);
