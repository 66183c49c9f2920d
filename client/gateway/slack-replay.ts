import type { FastifyRequest } from 'fastify';
import type { Runs } from '../runs';
import { GatewayError } from './errors';
import { SLACK_MAX_AGE_SECONDS } from './signatures';

/**
 * A signed Slack request acts once. Slack never resends a slash command, so the same signature twice
 * is a replay: this gateway remembers the signatures it served inside the replay window (older ones
 * are refused as stale anyway), and a `/deploy` is started under a workflow id derived from its
 * signature, so Temporal refuses a replay that reaches another gateway or a restarted one.
 */
export class SlackReplayGuard {
  private readonly seen = new Map<string, number>();

  /** Records a verified request; a signature seen before is a 409. */
  admit(signature: string, sentAtSeconds: number, nowSeconds: number): void {
    for (const [known, sentAt] of this.seen) {
      if (nowSeconds - sentAt > SLACK_MAX_AGE_SECONDS) this.seen.delete(known);
    }
    if (this.seen.has(signature)) throw replayed();
    this.seen.set(signature, sentAtSeconds);
  }
}

function replayed(): GatewayError {
  return new GatewayError(
    409,
    'replayed_request',
    'this exact Slack request (same X-Slack-Signature) was already received: it acts once; type the command again',
  );
}

/** The one workflow id a signed `/deploy` may start: its signature's first 128 bits. */
export function slackDeployWorkflowId(signature: string): string {
  return `slack-deploy-${signature.replace(/^v0=/, '').slice(0, 32)}`;
}

/** The verified request's signature and timestamp (verifiedForm has checked both). */
export function slackSignatureOf(request: FastifyRequest): { signature: string; sentAtSeconds: number } {
  return {
    signature: String(request.headers['x-slack-signature']),
    sentAtSeconds: Number(request.headers['x-slack-request-timestamp']),
  };
}

/** `runs` whose startDeploy uses the request's own workflow id and refuses a second start of it. */
export function deployOncePerRequest(runs: Runs, signature: string): Runs {
  return {
    ...runs,
    async startDeploy(request) {
      const started = await runs.startDeploy(request, slackDeployWorkflowId(signature));
      if (started.duplicate) throw replayed();
      return started;
    },
  };
}
