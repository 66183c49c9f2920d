import type { FastifyInstance, FastifyRequest } from 'fastify';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { describeError } from '../describe-error';
import type { StatementSigner } from '../keys';
import { NoDecisionPendingError, type Runs } from '../runs';
import { acceptRawBodies, rawBodyOf } from './bodies';
import { GatewayError, notConfigured } from './errors';
import type { GatewayIdentity } from './identity';
import { newWorkflowId } from './runs-routes';
import { verifySlackRequest } from './signatures';
import { deployOncePerRequest, slackSignatureOf, SlackReplayGuard } from './slack-replay';

/** What a slash command asks, parsed from Slack's form fields; a decision names the request it answers. */
export type SlackCommand =
  | { kind: 'deploy'; ref: string }
  | { kind: 'approve'; workflowId: string; requestId: string }
  | { kind: 'reject'; workflowId: string; requestId: string; reason: string }
  | { kind: 'usage'; text: string };

const USAGE =
  'Usage: `/deploy <ref>`, `/tfa approve <workflowId> <requestId>`, `/tfa reject <workflowId> <requestId> <reason>` (the notice gives both ids)';

export function parseSlackCommand(command: string, text: string): SlackCommand {
  const words = text.trim().split(/\s+/).filter(Boolean);
  if (command === '/deploy')
    return words.length === 1
      ? { kind: 'deploy', ref: words[0]! }
      : { kind: 'usage', text: `/deploy needs exactly one ref. ${USAGE}` };
  const [verb, workflowId, requestId, ...rest] = words;
  if (command === '/tfa' && verb === 'approve' && workflowId && requestId && rest.length === 0)
    return { kind: 'approve', workflowId, requestId };
  if (command === '/tfa' && verb === 'reject' && workflowId && requestId && rest.length > 0) {
    return { kind: 'reject', workflowId, requestId, reason: rest.join(' ') };
  }
  return { kind: 'usage', text: `I did not understand \`${`${command} ${text}`.trim()}\`. ${USAGE}` };
}

/**
 * The person behind a Slack request: the signed `user_id` mapped through the policy's people; a display
 * name is never trusted. An unmapped user acts as `slack:<user_id>`, a claim no approver list names.
 */
export function slackPrincipal(
  form: URLSearchParams,
  identity: GatewayIdentity | undefined,
): { by: string; sign?: StatementSigner } {
  const userId = form.get('user_id') ?? '';
  const person = identity?.slackUsers.get(userId);
  if (person === undefined) return { by: `slack:${userId || 'unknown'}` };
  return { by: person, sign: identity?.attest?.('slack') };
}

/** Slack shows this only to the user who typed the command. */
export function ephemeral(text: string) {
  return { response_type: 'ephemeral' as const, text };
}

function explainDecisionFailure(workflowId: string, error: unknown): string {
  if (error instanceof WorkflowUpdateFailedError) return `Refused: ${describeError(error.cause ?? error)}`;
  if (error instanceof NoDecisionPendingError) return `Refused: ${error.message}`;
  if (error instanceof WorkflowNotFoundError) return `No run ${workflowId} is waiting: ${error.message}`;
  return `Could not reach run ${workflowId}: ${describeError(error)}`;
}

/** Runs one command and words the answer; it never waits for a run to finish. */
async function performSlackCommand(
  runs: Runs,
  command: SlackCommand,
  user: { by: string; sign?: StatementSigner },
): Promise<string> {
  switch (command.kind) {
    case 'usage':
      return command.text;
    case 'deploy': {
      const { workflowId } = await runs.startDeploy(
        { ref: command.ref, requestedBy: user.by },
        newWorkflowId('slack-deploy'),
      );
      return `Deploying ${command.ref} for ${user.by}: started ${workflowId}.`;
    }
    case 'approve':
    case 'reject':
      try {
        const { workflowId, requestId } = command;
        const decided =
          command.kind === 'approve'
            ? await runs.approve(workflowId, { requestId, by: user.by }, user.sign)
            : await runs.reject(workflowId, { requestId, by: user.by, reason: command.reason }, user.sign);
        const request = `request ${decided.requestId} of ${decided.workflowId}`;
        // Under a quorum an approval may only count: the answer says who approved and who is still needed.
        if (command.kind === 'approve' && decided.approvals)
          return `Counted your approval of ${request} as ${user.by}; ${decided.approvals}.`;
        return `${command.kind === 'approve' ? 'Approved' : 'Rejected'} ${request} as ${user.by}.`;
      } catch (error) {
        return explainDecisionFailure(command.workflowId, error);
      }
  }
}

function verifiedForm(secret: string | undefined, request: FastifyRequest, nowSeconds: number): URLSearchParams {
  if (!secret) throw notConfigured('Slack commands', "TFA_SLACK_SIGNING_SECRET to the Slack app's signing secret");
  const raw = rawBodyOf(request.body);
  const check = verifySlackRequest({
    secret,
    rawBody: raw,
    nowSeconds,
    timestamp: request.headers['x-slack-request-timestamp'] as string | undefined,
    signature: request.headers['x-slack-signature'] as string | undefined,
  });
  if (!check.ok) throw new GatewayError(401, check.code, check.message);
  return new URLSearchParams(raw.toString('utf8'));
}

/** POST /webhooks/slack: slash commands, signed by Slack; answers at once, ephemerally; a replayed request is a 409. */
export function registerSlackCommands(
  scope: FastifyInstance,
  runs: Runs,
  secret: string | undefined,
  now: () => number,
  identity?: GatewayIdentity,
): void {
  const replays = new SlackReplayGuard();
  scope.register(async (slack) => {
    acceptRawBodies(slack);
    slack.post('/webhooks/slack', async (request) => {
      const nowSeconds = Math.floor(now() / 1000);
      const form = verifiedForm(secret, request, nowSeconds);
      const { signature, sentAtSeconds } = slackSignatureOf(request);
      replays.admit(signature, sentAtSeconds, nowSeconds);
      const once = deployOncePerRequest(runs, signature);
      const command = parseSlackCommand(form.get('command') ?? '', form.get('text') ?? '');
      return ephemeral(await performSlackCommand(once, command, slackPrincipal(form, identity)));
    });
  });
}
