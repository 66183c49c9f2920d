import type { FastifyInstance, FastifyRequest } from 'fastify';
import { fillTemplate, type EventRoute, type EventRoutes } from '../event-routes';
import type { Runs } from '../runs';
import { requireBearerToken } from './auth';
import { AgentWorkflowInput } from '../../core/run';
import { acceptRawBodies, parseJsonBody, parseWith, rawBodyOf } from './bodies';
import { GatewayError } from './errors';
import { newWorkflowId } from './runs-routes';
import { verifyStandardWebhook } from './signatures';

export interface EventsOptions {
  routes: EventRoutes;
  /** A Standard Webhooks secret; when set, every event must be signed with it and the bearer token is not asked for. */
  secret?: string;
  token?: string;
  /** The clock the webhook-timestamp window is checked against (ms). */
  now: () => number;
}

/** What a `webhook-id` may be: it becomes part of the run's workflow id. */
const EVENT_ID = /^[A-Za-z0-9_.:-]{1,128}$/;

function routeFor(routes: EventRoutes, type: string): EventRoute {
  const route = Object.hasOwn(routes, type) ? routes[type] : undefined;
  if (route) return route;
  const known = Object.keys(routes).join(', ') || 'none';
  throw new GatewayError(
    404,
    'unknown_event',
    `no event type "${type}" in the event map (TFA_EVENTS_CONFIG); known: ${known}`,
  );
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The signed message id, once the signature and its timestamp check out. */
function verifiedEventId(secret: string, request: FastifyRequest, raw: Buffer, nowSeconds: number): string {
  const check = verifyStandardWebhook({
    secret,
    rawBody: raw,
    nowSeconds,
    headers: {
      id: header(request, 'webhook-id'),
      timestamp: header(request, 'webhook-timestamp'),
      signature: header(request, 'webhook-signature'),
    },
  });
  if (!check.ok) throw new GatewayError(401, check.code, check.message);
  if (!EVENT_ID.test(check.id)) {
    throw new GatewayError(
      400,
      'invalid_event_id',
      'webhook-id must be 1 to 128 characters of A-Z a-z 0-9 _ . : - (e.g. msg_2KWPBgLlAfxdpx2AI54pPJ85f4W)',
    );
  }
  return check.id;
}

function messageFor(type: string, route: EventRoute, body: unknown): string {
  const filled = fillTemplate(route.message, body);
  if ('message' in filled) return filled.message;
  throw new GatewayError(
    400,
    'missing_field',
    `event "${type}" needs ${filled.missing.map((field) => `"${field}"`).join(', ')} in its JSON body to fill its message`,
  );
}

/**
 * POST /events/:type: starts the agent that config/events.json maps the event to, with the filled
 * message. A signed event starts at most one run: its workflow id is `event-<type>-<webhook-id>`,
 * started once, and a timestamp outside the window is refused.
 */
export function registerEventsRoute(scope: FastifyInstance, runs: Runs, options: EventsOptions): void {
  scope.register(async (events) => {
    acceptRawBodies(events);
    if (!options.secret) events.addHook('onRequest', requireBearerToken(options.token));
    events.post<{ Params: { type: string } }>('/events/:type', async (request, reply) => {
      const raw = rawBodyOf(request.body);
      const type = request.params.type;
      const eventId = options.secret
        ? verifiedEventId(options.secret, request, raw, Math.floor(options.now() / 1000))
        : undefined;
      const route = routeFor(options.routes, type);
      const message = messageFor(type, route, parseJsonBody(raw));
      // The run's own input limits (core/run.ts), checked here so an oversized message is a 400, not a failed start.
      const input = parseWith(AgentWorkflowInput, {
        agent: route.agent,
        message,
        maxSteps: route.maxSteps,
        requestedBy: `event:${type}`,
      });
      if (eventId === undefined) {
        return reply
          .code(201)
          .send({ workflowId: await runs.launch(input, newWorkflowId(`event-${type}`)), agent: route.agent });
      }
      const started = await runs.launchOnce(input, `event-${type}-${eventId}`);
      if (started.duplicate) return reply.code(200).send({ ...started, agent: route.agent });
      return reply.code(201).send({ workflowId: started.workflowId, agent: route.agent });
    });
  });
}
