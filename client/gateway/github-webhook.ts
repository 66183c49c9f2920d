import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { DeployWorkflowInput } from '../../core/pipeline';
import type { Runs } from '../runs';
import { acceptRawBodies, parseJsonBody, parseWith, rawBodyOf } from './bodies';
import { GatewayError } from './errors';
import { verifySha256Signature } from './signatures';

const Login = z.object({ login: z.string().min(1) });

/** The fields of a `pull_request` delivery we read; GitHub sends many more. */
const PullRequestEvent = z.object({
  action: z.string(),
  pull_request: z.object({
    merged: z.boolean().nullish(),
    merge_commit_sha: z.string().nullish(),
    merged_by: Login.nullish(),
  }),
  repository: z.object({ full_name: z.string() }).optional(),
  sender: Login.optional(),
});

export type GithubDecision = { deploy: DeployWorkflowInput } | { ignored: string };

/** What a delivery asks of us: a merged pull request deploys its merge commit; anything else is ignored. */
export function classifyGithubDelivery(event: string, payload: unknown): GithubDecision {
  if (event !== 'pull_request') return { ignored: `event "${event}" does not start anything; only merged pull requests deploy` };
  const delivery = parseWith(PullRequestEvent, payload);
  const pullRequest = delivery.pull_request;
  if (delivery.action !== 'closed' || pullRequest.merged !== true) {
    return { ignored: `pull_request "${delivery.action}" is not a merge; only merged pull requests deploy` };
  }
  if (!pullRequest.merge_commit_sha) {
    throw new GatewayError(400, 'invalid_body', 'the merged pull request has no merge_commit_sha to deploy');
  }
  const requestedBy = pullRequest.merged_by?.login ?? delivery.sender?.login ?? 'github';
  return { deploy: { repo: delivery.repository?.full_name, ref: pullRequest.merge_commit_sha, requestedBy } };
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Refuses anything not signed with the webhook secret, before a byte of it is parsed. */
function verifyGithubSignature(secret: string | undefined, request: FastifyRequest): Buffer {
  if (!secret) {
    throw new GatewayError(503, 'not_configured', 'GitHub webhooks are off: set TFA_GITHUB_WEBHOOK_SECRET to the webhook\'s secret and restart');
  }
  const raw = rawBodyOf(request.body);
  const signature = header(request, 'x-hub-signature-256');
  if (!signature) throw new GatewayError(401, 'missing_signature', 'X-Hub-Signature-256 is required: give the webhook a secret in GitHub');
  if (!verifySha256Signature(secret, raw, signature)) {
    throw new GatewayError(401, 'invalid_signature', 'X-Hub-Signature-256 does not match: the webhook\'s secret must equal TFA_GITHUB_WEBHOOK_SECRET');
  }
  return raw;
}

/** GitHub sends JSON, or `payload=<json>` when the hook's content type is form-encoded. */
function githubPayload(request: FastifyRequest, raw: Buffer): unknown {
  if (!(header(request, 'content-type') ?? '').startsWith('application/x-www-form-urlencoded')) return parseJsonBody(raw);
  return parseJsonBody(Buffer.from(new URLSearchParams(raw.toString('utf8')).get('payload') ?? ''));
}

/** POST /webhooks/github: a merged pull request starts `deployWorkflow`, once per delivery id. */
export function registerGithubWebhook(scope: FastifyInstance, runs: Runs, secret: string | undefined): void {
  scope.register(async (github) => {
    acceptRawBodies(github);
    github.post('/webhooks/github', async (request, reply) => {
      const raw = verifyGithubSignature(secret, request);
      const decision = classifyGithubDelivery(header(request, 'x-github-event') ?? '', githubPayload(request, raw));
      if ('ignored' in decision) return reply.code(202).send(decision);
      const delivery = header(request, 'x-github-delivery');
      if (!delivery) throw new GatewayError(400, 'missing_delivery', 'X-GitHub-Delivery is required: it makes redeliveries start nothing twice');
      const started = await runs.startDeploy(decision.deploy, `github-${delivery}`);
      return started.duplicate ? reply.code(200).send(started) : reply.code(201).send({ workflowId: started.workflowId });
    });
  });
}
