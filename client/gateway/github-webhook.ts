import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { DeployWorkflowInput } from '../../agents/pipeline';
import type { Runs } from '../runs';
import { acceptRawBodies, parseJsonBody, parseWith, rawBodyOf } from './bodies';
import { GatewayError, notConfigured } from './errors';
import { verifySha256Signature } from './signatures';

/** GitHub caps a webhook payload at 25 MB; anything it sends must fit. */
export const GITHUB_MAX_PAYLOAD_BYTES = 25 * 1024 * 1024;

/** Which merges deploy: those into `branch` of `repository` (owner/name). */
export interface GithubTarget {
  repository: string;
  branch: string;
}

const Login = z.object({ login: z.string().min(1) });

/** The fields of a `pull_request` delivery we read; GitHub sends many more. */
const PullRequestEvent = z.object({
  action: z.string(),
  pull_request: z.object({
    merged: z.boolean().nullish(),
    merge_commit_sha: z.string().nullish(),
    merged_by: Login.nullish(),
    merged_at: z.iso.datetime({ offset: true }).nullish(),
    base: z.object({ ref: z.string() }),
  }),
  repository: z.object({ full_name: z.string() }),
  sender: Login.optional(),
});

/**
 * How old a merge may be when its delivery arrives. Deduplication rests on Temporal refusing a
 * second start of the merge's workflow id, which holds while the first run is retained: at least
 * one day (Temporal's minimum retention) after it closed. A signed delivery replayed later than this
 * would outlive that guard, so it is ignored; a genuine delivery arrives within seconds.
 */
export const GITHUB_MAX_MERGE_AGE_MS = 24 * 60 * 60 * 1000;

/** A commit id as GitHub writes it: 40 hex digits (SHA-1) or 64 (SHA-256 repositories). */
const COMMIT_SHA = /^([0-9a-f]{40}|[0-9a-f]{64})$/;

export type GithubDecision = { deploy: DeployWorkflowInput } | { ignored: string };

/**
 * What a delivery asks of us: a pull request merged into the target branch of the target
 * repository deploys its merge commit; anything else is ignored.
 */
export function classifyGithubDelivery(
  event: string,
  payload: unknown,
  target: GithubTarget,
  nowMs: number,
): GithubDecision {
  if (event !== 'pull_request')
    return { ignored: `event "${event}" does not start anything; only merged pull requests deploy` };
  const delivery = parseWith(PullRequestEvent, payload);
  const pullRequest = delivery.pull_request;
  if (delivery.action !== 'closed' || pullRequest.merged !== true) {
    return { ignored: `pull_request "${delivery.action}" is not a merge; only merged pull requests deploy` };
  }
  if (delivery.repository.full_name.toLowerCase() !== target.repository.toLowerCase()) {
    return {
      ignored: `repository ${delivery.repository.full_name} is not ${target.repository} (TFA_GITHUB_REPOSITORY); only its merges deploy`,
    };
  }
  if (pullRequest.base.ref !== target.branch) {
    return {
      ignored: `a merge into ${pullRequest.base.ref} does not deploy; only merges into ${target.branch} (TFA_DEPLOY_BRANCH) do`,
    };
  }
  const mergedAt = Date.parse(pullRequest.merged_at ?? '');
  if (!(nowMs - mergedAt <= GITHUB_MAX_MERGE_AGE_MS)) {
    return {
      ignored: `merged at ${pullRequest.merged_at ?? '(no merged_at)'}, more than a day before now: a replayed or late delivery deploys nothing; deploy with /deploy or the CLI`,
    };
  }
  if (!pullRequest.merge_commit_sha || !COMMIT_SHA.test(pullRequest.merge_commit_sha)) {
    throw new GatewayError(
      400,
      'invalid_body',
      'the merged pull request has no merge_commit_sha (40 or 64 lowercase hex digits) to deploy',
    );
  }
  const requestedBy = pullRequest.merged_by?.login ?? delivery.sender?.login ?? 'github';
  return { deploy: { repo: target.repository, ref: pullRequest.merge_commit_sha, requestedBy } };
}

/** One deploy per merge: the workflow id is the repository and the merge commit, whatever the delivery id. */
export function githubDeployWorkflowId(deploy: DeployWorkflowInput): string {
  return `github-${(deploy.repo ?? '').toLowerCase().replace('/', '-')}-${deploy.ref}`;
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Refuses anything not signed with the webhook secret, before a byte of it is parsed. */
function verifyGithubSignature(secret: string | undefined, request: FastifyRequest): Buffer {
  if (!secret) throw notConfigured('GitHub webhooks', "TFA_GITHUB_WEBHOOK_SECRET to the webhook's secret");
  const raw = rawBodyOf(request.body);
  const signature = header(request, 'x-hub-signature-256');
  if (!signature)
    throw new GatewayError(
      401,
      'missing_signature',
      'X-Hub-Signature-256 is required: give the webhook a secret in GitHub',
    );
  if (!verifySha256Signature(secret, raw, signature)) {
    throw new GatewayError(
      401,
      'invalid_signature',
      "X-Hub-Signature-256 does not match: the webhook's secret must equal TFA_GITHUB_WEBHOOK_SECRET",
    );
  }
  return raw;
}

/** GitHub sends JSON, or `payload=<json>` when the hook's content type is form-encoded. */
function githubPayload(request: FastifyRequest, raw: Buffer): unknown {
  if (!(header(request, 'content-type') ?? '').startsWith('application/x-www-form-urlencoded'))
    return parseJsonBody(raw);
  return parseJsonBody(Buffer.from(new URLSearchParams(raw.toString('utf8')).get('payload') ?? ''));
}

export interface GithubOptions {
  secret?: string;
  /** Required with a secret. */
  target?: GithubTarget;
}

/**
 * POST /webhooks/github: a pull request merged into the target branch starts `deployWorkflow`,
 * once per repository and merge commit (a redelivery, or the same body under a new delivery id, is a duplicate).
 */
export function registerGithubWebhook(
  scope: FastifyInstance,
  runs: Runs,
  options: GithubOptions & { now: () => number },
): void {
  const { secret, target } = options;
  if (secret && !target)
    throw new Error('a GitHub webhook secret needs the repository whose merges deploy: set TFA_GITHUB_REPOSITORY');
  scope.register(async (github) => {
    acceptRawBodies(github);
    github.post('/webhooks/github', { bodyLimit: GITHUB_MAX_PAYLOAD_BYTES }, async (request, reply) => {
      const raw = verifyGithubSignature(secret, request);
      const decision = classifyGithubDelivery(
        header(request, 'x-github-event') ?? '',
        githubPayload(request, raw),
        target!,
        options.now(),
      );
      if ('ignored' in decision) return reply.code(202).send(decision);
      const started = await runs.startDeploy(decision.deploy, githubDeployWorkflowId(decision.deploy));
      return started.duplicate
        ? reply.code(200).send(started)
        : reply.code(201).send({ workflowId: started.workflowId });
    });
  });
}
