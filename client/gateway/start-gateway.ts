import { isIP } from 'node:net';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { encryptionCodecFrom } from '../../codec/from-config';
import type { Tracing } from '../../activities/telemetry/tracing';
import type { TfaConfig } from '../../core/config';
import { loadEventRoutes } from '../event-routes';
import type { PolicySource } from '../../core/policy';
import { buildGateway } from './app';
import { loadGatewayIdentity } from './identity';

export const DEFAULT_GATEWAY_PORT = 8787;
export const LOOPBACK_HOST = '127.0.0.1';

export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  return bare === 'localhost' || bare === '::1' || (isIP(bare) === 4 && bare.startsWith('127.'));
}

/** Where to listen; without a token only loopback is allowed, since nothing else would guard the run API. */
export function gatewayAddress(config: TfaConfig): { host: string; port: number; unauthenticated: boolean } {
  const host = config.TFA_GATEWAY_HOST ?? LOOPBACK_HOST;
  const port = config.TFA_GATEWAY_PORT ?? DEFAULT_GATEWAY_PORT;
  const unauthenticated = config.TFA_GATEWAY_TOKEN === undefined && config.TFA_GATEWAY_TOKENS_FILE === undefined;
  if (unauthenticated && !isLoopback(host)) {
    throw new Error(
      `TFA_GATEWAY_HOST=${host} would expose the gateway without auth: set TFA_GATEWAY_TOKEN (e.g. \`openssl rand -hex 32\`) or bind ${LOOPBACK_HOST}`,
    );
  }
  return { host, port, unauthenticated };
}

/**
 * Browser origins allowed on the codec endpoints: TFA_CODEC_CORS_ORIGINS, else the Web UI's origin
 * (TFA_WEB_UI_URL) and, for a loopback UI, its twin (localhost and 127.0.0.1 name the same page).
 */
export function codecCorsOrigins(config: Pick<TfaConfig, 'TFA_CODEC_CORS_ORIGINS' | 'TFA_WEB_UI_URL'>): string[] {
  if (config.TFA_CODEC_CORS_ORIGINS) return config.TFA_CODEC_CORS_ORIGINS;
  const ui = new URL(config.TFA_WEB_UI_URL);
  const twin = { localhost: '127.0.0.1', '127.0.0.1': 'localhost' }[ui.hostname];
  return twin ? [ui.origin, `${ui.protocol}//${twin}${ui.port ? `:${ui.port}` : ''}`] : [ui.origin];
}

export interface RunningGateway {
  url: string;
  /** One line for the banner: where it listens and how it is guarded. */
  summary: string;
  close(): Promise<void>;
}

function describeGuard(config: TfaConfig, unauthenticated: boolean): string {
  const off = [
    !config.TFA_GITHUB_WEBHOOK_SECRET && 'GitHub (TFA_GITHUB_WEBHOOK_SECRET)',
    !config.TFA_SLACK_SIGNING_SECRET && 'Slack (TFA_SLACK_SIGNING_SECRET)',
  ].filter(Boolean);
  const auth = unauthenticated
    ? 'no TFA_GATEWAY_TOKEN set: unauthenticated, so bound to loopback only'
    : 'bearer token required';
  return off.length > 0 ? `${auth}; webhooks off until set: ${off.join(', ')}` : auth;
}

/** Builds and starts the gateway for `npm start`; a busy port is an error that says how to pick another. */
export async function startGateway(options: {
  config: TfaConfig;
  client: Client;
  cwd: string;
  policy: PolicySource;
  tracing?: Tracing;
}): Promise<RunningGateway> {
  const { config } = options;
  const { host, port, unauthenticated } = gatewayAddress(config);
  const app = buildGateway({
    client: options.client,
    taskQueue: config.TFA_TASK_QUEUE,
    token: config.TFA_GATEWAY_TOKEN,
    githubWebhookSecret: config.TFA_GITHUB_WEBHOOK_SECRET,
    githubRepository: config.TFA_GITHUB_REPOSITORY,
    deployBranch: config.TFA_DEPLOY_BRANCH,
    slackSigningSecret: config.TFA_SLACK_SIGNING_SECRET,
    slackBotToken: config.TFA_SLACK_BOT_TOKEN,
    slackApiUrl: config.TFA_SLACK_API_URL,
    eventsSecret: config.TFA_EVENTS_SECRET,
    eventRoutes: loadEventRoutes(config.TFA_EVENTS_CONFIG, options.cwd),
    identity: loadGatewayIdentity({
      tokensFile: config.TFA_GATEWAY_TOKENS_FILE && path.resolve(options.cwd, config.TFA_GATEWAY_TOKENS_FILE),
      keyFile: config.TFA_GATEWAY_KEY_FILE && path.resolve(options.cwd, config.TFA_GATEWAY_KEY_FILE),
      policy: options.policy,
    }),
    codec: encryptionCodecFrom(config) ?? undefined,
    codecCorsOrigins: codecCorsOrigins(config),
    tracing: options.tracing,
  });
  try {
    await app.listen({ host, port });
  } catch (error) {
    await app.close();
    if ((error as { code?: string }).code === 'EADDRINUSE') {
      throw new Error(
        `gateway port ${port} on ${host} is in use: set TFA_GATEWAY_PORT to another port (0 picks a free one)`,
      );
    }
    throw error;
  }
  const address = app.server.address();
  const boundPort = typeof address === 'object' && address ? address.port : port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${boundPort}`;
  return { url, summary: `HTTP gateway: ${url} (${describeGuard(config, unauthenticated)})`, close: () => app.close() };
}
