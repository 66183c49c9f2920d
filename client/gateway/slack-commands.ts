import type { FastifyInstance, FastifyRequest } from 'fastify';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { describeError } from '../describe-error';
import type { Runs } from '../runs';
import { acceptRawBodies, rawBodyOf } from './bodies';
import { GatewayError } from './errors';
import { newWorkflowId } from './runs-routes';
import { verifySlackRequest } from './signatures';

/** What a slash command asks, parsed from Slack's form fields. */
export type SlackCommand =
  | { kind: 'deploy'; ref: string }
  | { kind: 'approve'; workflowId: string }
  | { kind: 'reject'; workflowId: string; reason: string }
  | { kind: 'usage'; text: string };

const USAGE = 'Usage: `/deploy <ref>`, `/tfa approve <workflowId>`, `/tfa reject <workflowId> <reason>`';

export function parseSlackCommand(command: string, text: string): SlackCommand {
  const words = text.trim().split(/\s+/).filter(Boolean);
  if (command === '/deploy') return words.length === 1 ? { kind: 'deploy', ref: words[0]! } : { kind: 'usage', text: `/deploy needs exactly one ref. ${USAGE}` };
  const [verb, workflowId, ...rest] = words;
  if (command === '/tfa' && verb === 'approve' && workflowId && rest.length === 0) return { kind: 'approve', workflowId };
  if (command === '/tfa' && verb === 'reject' && workflowId && rest.length > 0) return { kind: 'reject', workflowId, reason: rest.join(' ') };
  return { kind: 'usage', text: `I did not understand \`${`${command} ${text}`.trim()}\`. ${USAGE}` };
}

/** Slack shows this only to the user who typed the command. */
export function ephemeral(text: string) {
  return { response_type: 'ephemeral' as const, text };
}

function explainDecisionFailure(workflowId: string, error: unknown): string {
  if (error instanceof WorkflowUpdateFailedError) return `Refused: ${describeError(error.cause ?? error)}`;
  if (error instanceof WorkflowNotFoundError) return `No run ${workflowId} is waiting: ${error.message}`;
  return `Could not reach run ${workflowId}: ${describeError(error)}`;
}

/** Runs one command and words the answer; it never waits for a run to finish. */
async function performSlackCommand(runs: Runs, command: SlackCommand, user: string): Promise<string> {
  switch (command.kind) {
    case 'usage':
      return command.text;
    case 'deploy': {
      const { workflowId } = await runs.startDeploy({ ref: command.ref, requestedBy: user }, newWorkflowId('slack-deploy'));
      return `Deploying ${command.ref} for ${user}: started ${workflowId}.`;
    }
    case 'approve':
    case 'reject':
      try {
        const decided = command.kind === 'approve'
          ? await runs.approve(command.workflowId, { by: user })
          : await runs.reject(command.workflowId, { by: user, reason: command.reason });
        return `${command.kind === 'approve' ? 'Approved' : 'Rejected'} request ${decided.requestId} of ${decided.workflowId}.`;
      } catch (error) {
        return explainDecisionFailure(command.workflowId, error);
      }
  }
}

function verifiedForm(secret: string | undefined, request: FastifyRequest, nowSeconds: number): URLSearchParams {
  if (!secret) {
    throw new GatewayError(503, 'not_configured', 'Slack commands are off: set TFA_SLACK_SIGNING_SECRET to the Slack app\'s signing secret and restart');
  }
  const raw = rawBodyOf(request.body);
  const check = verifySlackRequest({
    secret, rawBody: raw, nowSeconds,
    timestamp: request.headers['x-slack-request-timestamp'] as string | undefined,
    signature: request.headers['x-slack-signature'] as string | undefined,
  });
  if (!check.ok) throw new GatewayError(401, check.code, check.message);
  return new URLSearchParams(raw.toString('utf8'));
}

/** POST /webhooks/slack: slash commands, signed by Slack; answers at once, ephemerally. */
export function registerSlackCommands(scope: FastifyInstance, runs: Runs, secret: string | undefined, now: () => number): void {
  scope.register(async (slack) => {
    acceptRawBodies(slack);
    slack.post('/webhooks/slack', async (request) => {
      const form = verifiedForm(secret, request, Math.floor(now() / 1000));
      const user = form.get('user_name') || form.get('user_id') || 'slack';
      const command = parseSlackCommand(form.get('command') ?? '', form.get('text') ?? '');
      return ephemeral(await performSlackCommand(runs, command, user));
    });
  });
}
