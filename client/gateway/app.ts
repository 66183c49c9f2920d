import type { Client } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Tracing } from '../../activities/telemetry/tracing';
import type { EventRoutes } from '../event-routes';
import { createRuns } from '../runs';
import { requireBearerToken } from './auth';
import { guardBrowserRequests } from './browser-guard';
import { codecCorsAllowed, registerCodecRoutes } from './codec-routes';
import { BODY_LIMIT_BYTES, toGatewayError } from './errors';
import type { GatewayIdentity } from './identity';
import { registerEventsRoute } from './events-route';
import { registerGithubWebhook } from './github-webhook';
import { traceRequests } from './request-spans';
import { registerRunRoutes } from './runs-routes';
import { registerSlackCommands } from './slack-commands';
import { registerSlackInteractivity } from './slack-interactivity';
import { createSlackWebApi } from './slack-web-api';

export interface GatewayOptions {
  client: Client;
  taskQueue: string;
  /** Bearer token for the run API and (unless eventsSecret is set) events; undefined: no auth. */
  token?: string;
  githubWebhookSecret?: string;
  /** owner/name whose merges deploy; required with githubWebhookSecret. */
  githubRepository?: string;
  /** Branch whose merges deploy. Default `main`. */
  deployBranch?: string;
  slackSigningSecret?: string;
  /** Bot token (xoxb-…) for views.open, which shows the reject dialog; unset: Reject answers how to set it. */
  slackBotToken?: string;
  /** Slack's Web API base URL. Default https://slack.com/api; tests point it at a simulated Slack. */
  slackApiUrl?: string;
  eventsSecret?: string;
  eventRoutes?: EventRoutes;
  /** Clock for the Slack and Standard Webhooks replay windows (ms); tests move it. */
  now?: () => number;
  /** Personal tokens, Slack users and the gateway's attester key (identity.ts); none: decisions are claims. */
  identity?: GatewayIdentity;
  /** The encryption codec served at /codec/encode and /codec/decode; none: they answer 503. */
  codec?: PayloadCodec;
  /** Browser origins that may call the codec endpoints (the Web UI's). Default none. */
  codecCorsOrigins?: readonly string[];
  /** Where 5xx errors are reported. */
  logError?: (line: string) => void;
  /** Each request a server span, the root of the run it starts (give `client` tracing's interceptors too); none: no tracing. */
  tracing?: Tracing;
}

function handleErrors(app: FastifyInstance, logError: (line: string) => void): void {
  app.setErrorHandler((error, request, reply) => {
    const refused = toGatewayError(error);
    if (refused.statusCode >= 500) logError(`[tfa gateway] ${request.method} ${request.url}: ${refused.message}`);
    return reply.code(refused.statusCode).send(refused.toBody());
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({
      error: {
        code: 'no_route',
        message: `no route ${request.method} ${request.url.split('?')[0]}; see the README's "Triggers" section`,
      },
    }),
  );
}

/**
 * The HTTP gateway: the run API and the codec server (bearer token), GitHub and Slack webhooks
 * (their own signatures) and mapped events. Takes a Temporal client so tests inject the test server's.
 */
export function buildGateway(options: GatewayOptions): FastifyInstance {
  const app = Fastify({ bodyLimit: BODY_LIMIT_BYTES, logger: false });
  const runs = createRuns(options.client, options.taskQueue);
  handleErrors(app, options.logError ?? console.error);
  if (options.tracing) traceRequests(app, options.tracing);
  const corsOrigins = options.codecCorsOrigins ?? [];
  const authenticated = options.token !== undefined || (options.identity?.people.size ?? 0) > 0;
  app.addHook('onRequest', guardBrowserRequests({ authenticated, crossOriginAllowed: codecCorsAllowed(corsOrigins) }));
  app.get('/health', async () => ({ ok: true }));
  app.register(async (api) => {
    api.addHook('onRequest', requireBearerToken(options.token, options.identity));
    registerRunRoutes(api, runs, options.identity);
  });
  const authenticate = requireBearerToken(options.token, options.identity);
  registerCodecRoutes(app, {
    codec: options.codec,
    corsOrigins,
    authenticate,
    report: options.logError ?? console.error,
  });
  const now = options.now ?? Date.now;
  const githubTarget = options.githubRepository
    ? { repository: options.githubRepository, branch: options.deployBranch ?? 'main' }
    : undefined;
  registerGithubWebhook(app, runs, { secret: options.githubWebhookSecret, target: githubTarget, now });
  registerSlackCommands(app, runs, options.slackSigningSecret, now, options.identity);
  registerSlackInteractivity(app, runs, {
    secret: options.slackSigningSecret,
    now,
    identity: options.identity,
    slack: createSlackWebApi({ botToken: options.slackBotToken, apiUrl: options.slackApiUrl }),
    report: options.logError ?? console.error,
  });
  registerEventsRoute(app, runs, {
    routes: options.eventRoutes ?? {},
    secret: options.eventsSecret,
    token: options.token,
    now,
  });
  return app;
}
