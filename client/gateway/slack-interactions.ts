import { z } from 'zod';
import { MESSAGE_LIMITS } from '../../core/decisions';
import { SlackButtonValue } from '../../core/slack-buttons';

/**
 * The interaction payloads tfa acts on, as Slack documents them (the form field `payload`, JSON):
 * `block_actions` when a button is clicked, `view_submission` when a modal is submitted. Fields tfa
 * does not read are dropped; every field it reads is bounded.
 */
const SlackUser = z.object({ id: z.string().min(1).max(50) });

export const BlockActionsPayload = z.object({
  type: z.literal('block_actions'),
  user: SlackUser,
  trigger_id: z.string().min(1).max(500),
  response_url: z.url().max(2_000),
  actions: z
    .array(z.object({ action_id: z.string().max(255), value: z.string().max(2_000).optional() }))
    .min(1)
    .max(25),
  message: z
    .object({ text: z.string().max(40_000).optional(), blocks: z.array(z.unknown()).max(100).optional() })
    .optional(),
});
export type BlockActionsPayload = z.infer<typeof BlockActionsPayload>;

const InputValue = z.object({
  value: z
    .string()
    .max(MESSAGE_LIMITS.text * 2)
    .nullish(),
});

export const ViewSubmissionPayload = z.object({
  type: z.literal('view_submission'),
  user: SlackUser,
  view: z.object({
    callback_id: z.string().max(255),
    private_metadata: z.string().max(3_000),
    state: z.object({ values: z.record(z.string(), z.record(z.string(), InputValue)) }),
  }),
});
export type ViewSubmissionPayload = z.infer<typeof ViewSubmissionPayload>;

export const InteractionPayload = z.discriminatedUnion('type', [BlockActionsPayload, ViewSubmissionPayload]);
export type InteractionPayload = z.infer<typeof InteractionPayload>;

/** The reject dialog: its callback id, and where its reason field is in the submitted state. */
export const REJECT_DIALOG = { callbackId: 'tfa_reject_reason', block: 'tfa_reason', action: 'reason' } as const;

/** What the reject dialog carries from the click to its submission (Slack's private_metadata, 3,000 characters). */
export const RejectDialogState = z.object({
  target: SlackButtonValue,
  responseUrl: z.url().max(2_000),
  shown: z.string().max(1_500),
});
export type RejectDialogState = z.infer<typeof RejectDialogState>;

/** The message text a click came from (its first section), cut to fit the dialog and its replacement. */
export function shownText(message: BlockActionsPayload['message']): string {
  const section = message?.blocks?.find(
    (block): block is { type: 'section'; text: { text: string } } =>
      typeof block === 'object' &&
      block !== null &&
      (block as { type?: unknown }).type === 'section' &&
      typeof (block as { text?: { text?: unknown } }).text?.text === 'string',
  );
  const text = section?.text.text ?? message?.text ?? '';
  return text.length > 1_500 ? `${text.slice(0, 1_497)}...` : text;
}

function plain(text: string) {
  return { type: 'plain_text' as const, text };
}

/** The modal Reject opens (views.open): what was shown, and a required reason the agent will read. */
export function rejectDialog(state: RejectDialogState): object {
  return {
    type: 'modal',
    callback_id: REJECT_DIALOG.callbackId,
    title: plain('Reject request'),
    submit: plain('Reject'),
    close: plain('Cancel'),
    private_metadata: JSON.stringify(state),
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: state.shown || `request ${state.target.requestId}` } },
      {
        type: 'input',
        block_id: REJECT_DIALOG.block,
        label: plain('Why? The agent reads this'),
        element: {
          type: 'plain_text_input',
          action_id: REJECT_DIALOG.action,
          multiline: true,
          max_length: MESSAGE_LIMITS.text,
        },
      },
    ],
  };
}

/** The reject dialog's state from a submission, or undefined when it is not one tfa opened. */
export function rejectDialogState(payload: ViewSubmissionPayload): RejectDialogState | undefined {
  if (payload.view.callback_id !== REJECT_DIALOG.callbackId) return undefined;
  try {
    const parsed = RejectDialogState.safeParse(JSON.parse(payload.view.private_metadata));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** The reason typed into the reject dialog, trimmed; empty when none. */
export function submittedReason(payload: ViewSubmissionPayload): string {
  return payload.view.state.values[REJECT_DIALOG.block]?.[REJECT_DIALOG.action]?.value?.trim() ?? '';
}

/** A reply only the clicking user sees, under the message; the message itself stays. */
export function ephemeralReply(text: string): object {
  return { response_type: 'ephemeral', replace_original: false, text };
}

/** A reply everyone in the channel sees, under the message; the message and its buttons stay. */
export function channelReply(text: string): object {
  return { response_type: 'in_channel', replace_original: false, text };
}

/** The original message replaced by what it showed and its outcome; the buttons are gone. */
export function outcomeMessage(shown: string, outcome: string): object {
  return {
    replace_original: true,
    text: outcome,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: shown || outcome } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: outcome }] },
    ],
  };
}
