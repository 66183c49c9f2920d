import { Client, Connection } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { buildGateway, type GatewayOptions } from '../../client/gateway/app';
import { testServerAddress } from '../support/test-server';

export const TEST_TOKEN = 'test-token-0123456789abcdef';

export interface TestGateway {
  app: FastifyInstance;
  /** http://127.0.0.1:<port>: a real listening socket. */
  url: string;
  client: Client;
  close(): Promise<void>;
}

/** The gateway on a free loopback port, wired to the shared test server; `client` defaults to a new connection. */
export async function startTestGateway(options: Partial<GatewayOptions> & { taskQueue: string }): Promise<TestGateway> {
  const connection = options.client ? null : await Connection.connect({ address: testServerAddress() });
  const client = options.client ?? new Client({ connection: connection! });
  const app = buildGateway({ logError: () => {}, ...options, client });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    app,
    client,
    url: `http://127.0.0.1:${port}`,
    async close() {
      await app.close();
      await connection?.close();
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
