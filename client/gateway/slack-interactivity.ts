import type { FastifyInstance, FastifyRequest } from 'fastify';
import { decodeButtonValue, SLACK_BUTTON_ACTIONS } from '../../core/slack-buttons';
import { describeIssues } from '../../core/zod-issues';
import type { StatementSigner } from '../keys';
import type { Runs } from '../runs';
import { acceptRawBodies, rawBodyOf } from './bodies';
import { GatewayError, notConfigured } from './errors';
import type { GatewayIdentity } from './identity';
import { buttonRefusal, decideFromButton, escapeMrkdwn, type ButtonDecision } from './slack-button-decisions';
import {
  channelReply,
  ephemeralReply,
  InteractionPayload,
  outcomeMessage,
  rejectDialog,
  rejectDialogState,
  REJECT_DIALOG,
  shownText,
  submittedReason,
  type BlockActionsPayload,
  type RejectDialogState,
  type ViewSubmissionPayload,
} from './slack-interactions';
import { slackSignatureOf, SlackReplayGuard } from './slack-replay';
import { verifySlackRequest } from './signatures';
import type { SlackWebApi } from './slack-web-api';

/** The Slack app's Interactivity Request URL path. */
export const SLACK_INTERACTIVITY_PATH = '/webhooks/slack/interactivity';

export interface SlackInteractivityOptions {
  secret: string | undefined;
  now: () => number;
  identity?: GatewayIdentity;
  slack: SlackWebApi;
  /** Where failures after the acknowledgement are reported (Slack has had its answer by then). */
  report: (line: string) => void;
}

/** What to answer Slack now, and what to do once it has been answered (Slack waits 3 s at most). */
interface Handled {
  body: object;
  then?: () => Promise<void>;
}

type Person = { by: string; sign?: StatementSigner };

function unmapped(userId: string): string {
  return `Refused: Slack user ${userId} is not mapped to an approver. Add "slackUserId": "${userId}" to your entry under people in the policy file (TFA_POLICY_FILE) and restart the gateway.`;
}

function verifiedPayload(options: SlackInteractivityOptions, request: FastifyRequest): InteractionPayload | null {
  if (!options.secret)
    throw notConfigured('Slack buttons', "TFA_SLACK_SIGNING_SECRET to the Slack app's signing secret");
  const raw = rawBodyOf(request.body);
  const check = verifySlackRequest({
    secret: options.secret,
    rawBody: raw,
    nowSeconds: Math.floor(options.now() / 1000),
    timestamp: request.headers['x-slack-request-timestamp'] as string | undefined,
    signature: request.headers['x-slack-signature'] as string | undefined,
  });
  if (!check.ok) throw new GatewayError(401, check.code, check.message);
  const field = new URLSearchParams(raw.toString('utf8')).get('payload');
  let json: unknown;
  try {
    json = JSON.parse(field ?? '');
  } catch {
    throw new GatewayError(400, 'invalid_payload', 'the form field "payload" must hold the interaction as JSON');
  }
  const type = (json as { type?: unknown } | null)?.type;
  if (type !== 'block_actions' && type !== 'view_submission') return null;
  const parsed = InteractionPayload.safeParse(json);
  if (!parsed.success)
    throw new GatewayError(400, 'invalid_payload', `not a ${type} payload: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

/** Applies the decision, then replaces the message with its outcome, or tells the user why not. */
async function decideAndReport(
  runs: Runs,
  slack: SlackWebApi,
  at: RejectDialogState,
  decision: ButtonDecision,
  person: Person,
): Promise<void> {
  const outcome = await decideFromButton(runs, at.target, decision, person);
  if (!outcome.applied) return slack.respond(at.responseUrl, ephemeralReply(`Refused: ${outcome.refusal}`));
  const who = escapeMrkdwn(person.by);
  if (outcome.stillNeeded) {
    // The buttons stay for the other approvers; everyone in the channel sees who counted.
    return slack.respond(at.responseUrl, channelReply(`${who} approved: ${escapeMrkdwn(outcome.stillNeeded)}`));
  }
  const verdict =
    decision.action === 'approve'
      ? `:white_check_mark: *Approved* by ${who}`
      : `:no_entry: *Rejected* by ${who}: ${escapeMrkdwn(decision.reason)}`;
  return slack.respond(at.responseUrl, outcomeMessage(at.shown, `${verdict} (request ${outcome.requestId})`));
}

function onButton(payload: BlockActionsPayload, runs: Runs, options: SlackInteractivityOptions, person?: Person) {
  const action = payload.actions.find(
    (candidate) =>
      candidate.action_id === SLACK_BUTTON_ACTIONS.approve || candidate.action_id === SLACK_BUTTON_ACTIONS.reject,
  );
  if (!action) return {};
  const reply = (text: string) => () => options.slack.respond(payload.response_url, ephemeralReply(text));
  const target = decodeButtonValue(action.value);
  if (!target) return { then: reply('Refused: this button does not name a request and its arguments digest.') };
  if (!person) return { then: reply(unmapped(payload.user.id)) };
  const at = { target, responseUrl: payload.response_url, shown: shownText(payload.message) };
  if (action.action_id === SLACK_BUTTON_ACTIONS.approve)
    return { then: () => decideAndReport(runs, options.slack, at, { action: 'approve' }, person) };
  return { then: () => openRejectDialog(runs, options.slack, payload.trigger_id, at) };
}

/** Opens the reject dialog, unless the click may not act any more: then the user is told why at once. */
async function openRejectDialog(runs: Runs, slack: SlackWebApi, triggerId: string, at: RejectDialogState) {
  const refusal = await buttonRefusal(runs, at.target);
  if (refusal !== null) return slack.respond(at.responseUrl, ephemeralReply(`Refused: ${refusal}`));
  await slack.openView(triggerId, rejectDialog(at)).catch((error: Error) => {
    return slack.respond(at.responseUrl, ephemeralReply(`Could not open the reject dialog: ${error.message}`));
  });
}

function onSubmission(payload: ViewSubmissionPayload, runs: Runs, options: SlackInteractivityOptions, person?: Person) {
  const state = rejectDialogState(payload);
  if (!state) return { body: {} };
  const refuse = (message: string) => ({
    body: { response_action: 'errors', errors: { [REJECT_DIALOG.block]: message } },
  });
  if (!person) return refuse(unmapped(payload.user.id));
  const reason = submittedReason(payload);
  if (reason === '') return refuse('Say why: the agent reads the reason and tries something else.');
  return { body: {}, then: () => decideAndReport(runs, options.slack, state, { action: 'reject', reason }, person) };
}

function handle(payload: InteractionPayload, runs: Runs, options: SlackInteractivityOptions): Handled {
  const by = options.identity?.slackUsers.get(payload.user.id);
  const person = by === undefined ? undefined : { by, sign: options.identity?.attest?.('slack') };
  if (payload.type === 'block_actions') return { body: {}, ...onButton(payload, runs, options, person) };
  return onSubmission(payload, runs, options, person);
}

/**
 * POST /webhooks/slack/interactivity: Approve and Reject clicks on tfa's notices and the reject
 * dialog's submission, signed by Slack. The clicking user's signed id is mapped to a person through
 * the policy's slackUserId; Slack gets its answer at once, and the decision is applied after it.
 */
export function registerSlackInteractivity(scope: FastifyInstance, runs: Runs, options: SlackInteractivityOptions) {
  const replays = new SlackReplayGuard();
  const inFlight = new Set<Promise<void>>();
  const later = (work: () => Promise<void>) => {
    const running = work()
      .catch((error: Error) => options.report(`[tfa gateway] Slack interaction: ${error.message}`))
      .finally(() => inFlight.delete(running));
    inFlight.add(running);
  };
  scope.register(async (slack) => {
    acceptRawBodies(slack);
    slack.addHook('onClose', async () => void (await Promise.all(inFlight)));
    slack.post(SLACK_INTERACTIVITY_PATH, async (request, reply) => {
      const payload = verifiedPayload(options, request);
      const { signature, sentAtSeconds } = slackSignatureOf(request);
      replays.admit(signature, sentAtSeconds, Math.floor(options.now() / 1000));
      const handled: Handled = payload ? handle(payload, runs, options) : { body: {} };
      await reply.code(200).send(handled.body);
      if (handled.then) later(handled.then);
      return reply;
    });
  });
}
