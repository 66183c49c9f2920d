import type { Client } from '@temporalio/client';
import Fastify, { type FastifyInstance } from 'fastify';
import type { EventRoutes } from '../event-routes';
import { createRuns } from '../runs';
import { requireBearerToken } from './auth';
import { BODY_LIMIT_BYTES, toGatewayError } from './errors';
import { registerEventsRoute } from './events-route';
import { registerGithubWebhook } from './github-webhook';
import { registerRunRoutes } from './runs-routes';
import { registerSlackCommands } from './slack-commands';

export interface GatewayOptions {
  client: Client;
  taskQueue: string;
  /** Bearer token for the run API and (unless eventsSecret is set) events; undefined: no auth. */
  token?: string;
  githubWebhookSecret?: string;
  slackSigningSecret?: string;
  eventsSecret?: string;
  eventRoutes?: EventRoutes;
  /** Clock for Slack's replay window; tests move it. */
  now?: () => number;
  /** Where 5xx errors are reported. */
  logError?: (line: string) => void;
}

function handleErrors(app: FastifyInstance, logError: (line: string) => void): void {
  app.setErrorHandler((error, request, reply) => {
    const refused = toGatewayError(error);
    if (refused.statusCode >= 500) logError(`[tfa gateway] ${request.method} ${request.url}: ${refused.message}`);
    return reply.code(refused.statusCode).send(refused.toBody());
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ error: { code: 'no_route', message: `no route ${request.method} ${request.url.split('?')[0]}; see the README's "Triggers" section` } }));
}

/**
 * The HTTP gateway: the run API (bearer token), GitHub and Slack webhooks (their own signatures)
 * and mapped events. Takes a Temporal client so tests inject the test server's.
 */
export function buildGateway(options: GatewayOptions): FastifyInstance {
  const app = Fastify({ bodyLimit: BODY_LIMIT_BYTES, logger: false });
  const runs = createRuns(options.client, options.taskQueue);
  handleErrors(app, options.logError ?? console.error);
  app.get('/health', async () => ({ ok: true }));
  app.register(async (api) => {
    api.addHook('onRequest', requireBearerToken(options.token));
    registerRunRoutes(api, runs);
  });
  registerGithubWebhook(app, runs, options.githubWebhookSecret);
  registerSlackCommands(app, runs, options.slackSigningSecret, options.now ?? Date.now);
  registerEventsRoute(app, runs, { routes: options.eventRoutes ?? {}, secret: options.eventsSecret, token: options.token });
  return app;
}
