import { createHmac } from 'node:crypto';
import http from 'node:http';
import { Client, Connection } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { buildGateway, type GatewayOptions } from '../../client/gateway/app';
import { callTool, type ScriptedReply } from '../../scripts/scripted-model/server';
import { testServerAddress } from '../support/test-server';
import { startHarness, type Harness } from '../support/workflow-harness';

export const TEST_TOKEN = 'test-token-0123456789abcdef';

export interface TestGateway {
  app: FastifyInstance;
  /** http://127.0.0.1:<port>: a real listening socket. */
  url: string;
  client: Client;
  close(): Promise<void>;
}

/** A DeployBot script: deploy main to production (which waits for approval), then finish. */
export const MAIN_TO_PRODUCTION: ScriptedReply[] = [
  callTool('deploy_to_production', { ref: 'main' }),
  callTool('done_for_now', { message: 'main is live' }),
];

/** A harness scripted with `script` and a gateway (bearer TEST_TOKEN) on its client; `close` stops both. */
export async function startGatewayOnHarness(
  script: ScriptedReply[],
): Promise<{ harness: Harness; gateway: TestGateway; close(): Promise<void> }> {
  const harness = await startHarness({ script });
  const gateway = await startTestGateway({ client: harness.client, taskQueue: harness.taskQueue, token: TEST_TOKEN });
  return {
    harness,
    gateway,
    async close() {
      await gateway.close();
      await harness.close();
    },
  };
}

/** The gateway on a free loopback port, wired to the shared test server; `client` defaults to a new connection. */
export async function startTestGateway(options: Partial<GatewayOptions> & { taskQueue: string }): Promise<TestGateway> {
  const connection = options.client ? null : await Connection.connect({ address: testServerAddress() });
  const client = options.client ?? new Client({ connection: connection! });
  const app = buildGateway({ logError: () => {}, ...options, client });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  let closed: Promise<void> | undefined;
  return {
    app,
    client,
    url: `http://127.0.0.1:${port}`,
    close() {
      closed ??= app.close().then(() => connection?.close());
      return closed;
    },
  };
}

export interface CallOptions {
  method?: string;
  body?: unknown;
  token?: string | null;
  headers?: Record<string, string>;
}

/** One HTTP call as a caller makes it: JSON in, status and parsed JSON out. Token: TEST_TOKEN unless null. */
export async function call(
  gateway: TestGateway,
  path: string,
  options: CallOptions = {},
): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = { ...options.headers };
  const token = options.token === undefined ? TEST_TOKEN : options.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  let payload: string | undefined;
  if (options.body !== undefined) {
    payload = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(`${gateway.url}${path}`, {
    method: options.method ?? (payload ? 'POST' : 'GET'),
    headers,
    body: payload,
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

/** A slash command as Slack sends it: `fields` form-encoded, signed with `secret` over `v0:<timestamp>:<body>`. */
export function slackRequest(secret: string, fields: Record<string, string>, timestampSeconds: number): CallOptions {
  const body = new URLSearchParams(fields).toString();
  const timestamp = String(timestampSeconds);
  const signature = `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  const headers = {
    'content-type': 'application/x-www-form-urlencoded',
    'x-slack-request-timestamp': timestamp,
    'x-slack-signature': signature,
  };
  return { body, token: null, headers };
}

/** Sends a slash command signed `ageSeconds` ago (slackRequest) to the gateway's Slack route. */
export function callSlack(gateway: TestGateway, secret: string, fields: Record<string, string>, ageSeconds = 0) {
  return call(gateway, '/webhooks/slack', slackRequest(secret, fields, Math.floor(Date.now() / 1000) - ageSeconds));
}

/** One HTTP call with exactly these headers, `Host` included (fetch would replace it), and this body as is. */
export function callWithExactHeaders(
  gateway: TestGateway,
  path: string,
  request: { method: string; headers: Record<string, string>; body?: string },
): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const sent = http.request(
      `${gateway.url}${path}`,
      { method: request.method, headers: request.headers },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString() || 'null') }),
        );
      },
    );
    sent.on('error', reject);
    sent.end(request.body);
  });
}

/** Ends the runs a file started on a queue no worker polls; a run already closed is skipped. */
export async function terminateStarted(gateway: TestGateway, workflowIds: readonly string[], reason: string) {
  const terminate = (id: string) =>
    gateway.client.workflow
      .getHandle(id)
      .terminate(reason)
      .catch(() => {});
  await Promise.all(workflowIds.map(terminate));
}
