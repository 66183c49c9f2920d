import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { findAgent } from '../../agents';
import { ApproveInput, PauseInput, RejectInput, ReplyInput, ResumeInput } from '../../core/decisions';
import { AgentWorkflowInput } from '../../core/run';
import { AgentStatus } from '../../core/thread';
import type { Runs } from '../runs';
import { principalOf } from './auth';
import { parseWith } from './bodies';
import { GatewayError } from './errors';
import type { GatewayIdentity } from './identity';
import { registerWatchRoute } from './watch-route';

/**
 * Body of POST /agents/:agent/runs: a new run with its task. Only the workflow itself writes a thread,
 * so `continued` is not accepted; forks start from the CLI (`tfa fork`), not here. A budget's carried
 * spend is the deploy pipeline's to set for its children.
 */
export const LaunchBody = AgentWorkflowInput.omit({ agent: true, continued: true, fork: true, budgetCarried: true })
  .extend({
    message: AgentWorkflowInput.shape.message.unwrap(),
    workflowId: z.string().min(1).max(200).optional(),
  })
  .strict();

const ListQuery = z.object({
  status: AgentStatus.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

const RunParams = z.object({ id: z.string().min(1) });

function knownAgent(name: string): string {
  if (findAgent(name)) return name;
  throw new GatewayError(404, 'unknown_agent', `no agent named "${name}": use one defined in agents/index.ts`);
}

/** A fresh workflow id per launch; the random part keeps concurrent launches apart. */
export function newWorkflowId(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

function registerLaunch(scope: FastifyInstance, runs: Runs): void {
  scope.post<{ Params: { agent: string } }>('/agents/:agent/runs', async (request, reply) => {
    const agent = knownAgent(request.params.agent);
    const { workflowId, ...input } = parseWith(LaunchBody, request.body);
    const started = await runs.launch({ agent, ...input }, workflowId ?? newWorkflowId(agent));
    return reply.code(201).send({ workflowId: started });
  });
}

function registerInspect(scope: FastifyInstance, runs: Runs): void {
  scope.get('/runs', async (request) => {
    const query = parseWith(ListQuery, request.query, 'query');
    return { runs: await runs.list(query) };
  });
  scope.get('/runs/:id', async (request) => {
    const { id } = parseWith(RunParams, request.params, 'path');
    const status = await runs.status(id);
    if (status.kind === 'deploy')
      return {
        workflowId: id,
        type: 'deployWorkflow',
        pipeline: status.state,
        runningChild: status.runningChild ?? null,
      };
    return { workflowId: id, state: status.view.state, events: status.view.events };
  });
}

/** A body's `by` as the request's principal: a personal token fixes it, and a different `by` is refused. */
function actingAs(request: FastifyRequest, body: unknown): unknown {
  const person = principalOf(request);
  if (person === undefined || body === null || typeof body !== 'object') return body;
  const claimed = (body as { by?: unknown }).by;
  if (claimed !== undefined && claimed !== person) {
    throw new GatewayError(403, 'not_your_name', `your token belongs to ${person}; "by" must be ${person} or left out`);
  }
  return { ...body, by: person };
}

/** POST /runs/:id/<name>: validates the body with the message's own schema, then sends it. */
function registerAction<S extends z.ZodType>(
  scope: FastifyInstance,
  name: string,
  schema: S,
  perform: (id: string, body: z.infer<S>, request: FastifyRequest) => Promise<object | void>,
): void {
  scope.post(`/runs/:id/${name}`, async (request, reply) => {
    const { id } = parseWith(RunParams, request.params, 'path');
    const body = parseWith(schema, actingAs(request, request.body ?? {}));
    const answer = await perform(id, body, request);
    // A decision (update) is answered by the run; a signal is only delivered.
    return answer ? { workflowId: id, ...answer } : reply.code(202).send({ workflowId: id, sent: name });
  });
}

/**
 * The run API: launch, inspect, follow (server-sent events) and answer runs; every route needs a bearer token when one is set.
 * A decision made with a personal token is vouched for by the gateway's key (verified: "gateway").
 */
export function registerRunRoutes(scope: FastifyInstance, runs: Runs, identity?: GatewayIdentity): void {
  const vouch = (request: FastifyRequest) =>
    principalOf(request) !== undefined ? identity?.attest?.('gateway') : undefined;
  registerLaunch(scope, runs);
  registerInspect(scope, runs);
  registerWatchRoute(scope, runs);
  registerAction(scope, 'approve', ApproveInput, (id, body, request) => runs.approve(id, body, vouch(request)));
  registerAction(scope, 'reject', RejectInput, (id, body, request) => runs.reject(id, body, vouch(request)));
  registerAction(scope, 'reply', ReplyInput, (id, body, request) => runs.reply(id, body, vouch(request)));
  registerAction(scope, 'pause', PauseInput, (id, body) => runs.pause(id, body));
  registerAction(scope, 'resume', ResumeInput, (id, body) => runs.resume(id, body));
}
