import { callWithExactHeaders, startTestGateway, TEST_TOKEN, type TestGateway } from '../client/gateway-fixture';

let open: TestGateway;
let guarded: TestGateway;

beforeAll(async () => {
  // No worker polls this queue: a launched run just waits; these tests look only at whether it started.
  open = await startTestGateway({ taskQueue: `no-worker-${Date.now()}` });
  guarded = await startTestGateway({ client: open.client, taskQueue: `no-worker-${Date.now()}`, token: TEST_TOKEN });
});
afterAll(async () => {
  await guarded?.close();
  await open?.close();
});

/** One HTTP call with the exact headers given, `Host` included (fetch would replace it). */
function send(gateway: TestGateway, path: string, options: { headers?: Record<string, string>; body?: unknown } = {}) {
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  const headers = { ...(payload ? { 'content-type': 'application/json' } : {}), ...options.headers };
  return callWithExactHeaders(gateway, path, { method: payload ? 'POST' : 'GET', headers, body: payload });
}

async function exists(gateway: TestGateway, workflowId: string): Promise<boolean> {
  return gateway.client.workflow
    .getHandle(workflowId)
    .describe()
    .then(
      () => true,
      () => false,
    );
}

test('without a token, a launch whose Host is not a loopback name is refused and starts nothing (DNS rebinding)', async () => {
  const workflowId = `rebound-${Date.now()}`;
  const answer = await send(open, '/agents/deploybot/runs', {
    headers: { host: 'attacker.example:8787' },
    body: { message: 'deploy main', workflowId },
  });
  expect(answer).toEqual({
    status: 403,
    body: { error: { code: 'host_not_allowed', message: expect.stringContaining('TFA_GATEWAY_TOKEN') } },
  });
  expect(await exists(open, workflowId)).toBe(false);
  for (const host of ['127.0.0.1.attacker.example', 'localhost.attacker.example', '0.0.0.0:8787', '[::]']) {
    expect((await send(open, '/health', { headers: { host } })).status).toBe(403);
  }
});

test('without a token, loopback Host names are served', async () => {
  for (const host of ['localhost:8787', '127.0.0.1', 'LOCALHOST', '[::1]:8787', '127.1.2.3:80']) {
    expect(await send(open, '/health', { headers: { host } })).toEqual({ status: 200, body: { ok: true } });
  }
});

test('with a token, any Host is served to a caller holding it', async () => {
  const answer = await send(guarded, '/health', { headers: { host: 'tfa.example.com' } });
  expect(answer).toEqual({ status: 200, body: { ok: true } });
});

test('a cross-origin browser request is refused and starts nothing; a same-origin one is served', async () => {
  const port = new URL(open.url).port;
  const workflowId = `cross-origin-${Date.now()}`;
  const launch = (headers: Record<string, string>) =>
    send(open, '/agents/deploybot/runs', { headers, body: { message: 'deploy main', workflowId } });
  expect(await launch({ origin: 'http://attacker.example' })).toEqual({
    status: 403,
    body: { error: { code: 'cross_origin', message: expect.stringContaining('Origin http://attacker.example') } },
  });
  expect((await launch({ origin: `http://localhost:${Number(port) + 1}` })).body.error.code).toBe('cross_origin');
  expect((await launch({ origin: 'null' })).body.error.code).toBe('cross_origin');
  expect((await launch({ 'sec-fetch-site': 'cross-site' })).body.error.code).toBe('cross_origin');
  expect((await launch({ 'sec-fetch-site': 'same-site' })).body.error.code).toBe('cross_origin');
  expect(await exists(open, workflowId)).toBe(false);
  const sameOrigin = await send(open, '/health', {
    headers: { host: `127.0.0.1:${port}`, origin: `http://127.0.0.1:${port}`, 'sec-fetch-site': 'same-origin' },
  });
  expect(sameOrigin.status).toBe(200);
});

test('with a token, a cross-origin browser request is refused too', async () => {
  const answer = await send(guarded, '/runs', {
    headers: { authorization: `Bearer ${TEST_TOKEN}`, origin: 'http://attacker.example' },
  });
  expect(answer.body.error.code).toBe('cross_origin');
});
