import type { FastifyInstance, FastifyRequest } from 'fastify';
import { fillTemplate, type EventRoute, type EventRoutes } from '../event-routes';
import type { Runs } from '../runs';
import { requireBearerToken } from './auth';
import { acceptRawBodies, parseJsonBody, rawBodyOf } from './bodies';
import { GatewayError } from './errors';
import { newWorkflowId } from './runs-routes';
import { TFA_SIGNATURE_HEADER, verifySha256Signature } from './signatures';

export interface EventsOptions {
  routes: EventRoutes;
  /** When set, every event must carry X-Tfa-Signature-256 and the bearer token is not asked for. */
  secret?: string;
  token?: string;
}

function routeFor(routes: EventRoutes, type: string): EventRoute {
  const route = Object.hasOwn(routes, type) ? routes[type] : undefined;
  if (route) return route;
  const known = Object.keys(routes).join(', ') || 'none';
  throw new GatewayError(404, 'unknown_event', `no event type "${type}" in the event map (TFA_EVENTS_CONFIG); known: ${known}`);
}

function verifyEventSignature(secret: string, request: FastifyRequest, raw: Buffer): void {
  const signature = request.headers[TFA_SIGNATURE_HEADER];
  if (typeof signature !== 'string') {
    throw new GatewayError(401, 'missing_signature', 'X-Tfa-Signature-256: sha256=<hex HMAC-SHA256 of the body with TFA_EVENTS_SECRET> is required');
  }
  if (!verifySha256Signature(secret, raw, signature)) {
    throw new GatewayError(401, 'invalid_signature', 'X-Tfa-Signature-256 does not match the body signed with TFA_EVENTS_SECRET');
  }
}

function messageFor(type: string, route: EventRoute, body: unknown): string {
  const filled = fillTemplate(route.message, body);
  if ('message' in filled) return filled.message;
  throw new GatewayError(400, 'missing_field', `event "${type}" needs ${filled.missing.map((field) => `"${field}"`).join(', ')} in its JSON body to fill its message`);
}

/** POST /events/:type: starts the agent that config/events.json maps the event to, with the filled message. */
export function registerEventsRoute(scope: FastifyInstance, runs: Runs, options: EventsOptions): void {
  scope.register(async (events) => {
    acceptRawBodies(events);
    if (!options.secret) events.addHook('onRequest', requireBearerToken(options.token));
    events.post<{ Params: { type: string } }>('/events/:type', async (request, reply) => {
      const raw = rawBodyOf(request.body);
      if (options.secret) verifyEventSignature(options.secret, request, raw);
      const route = routeFor(options.routes, request.params.type);
      const message = messageFor(request.params.type, route, parseJsonBody(raw));
      const input = { agent: route.agent, message, maxSteps: route.maxSteps, requestedBy: `event:${request.params.type}` };
      const workflowId = await runs.launch(input, newWorkflowId(`event-${request.params.type}`));
      return reply.code(201).send({ workflowId, agent: route.agent });
    });
  });
}
