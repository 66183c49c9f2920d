import { z } from 'zod';
import { MESSAGE_LIMITS } from './decisions';
import { argsDigest } from './digest';

/** The `action_id` of each decision button: the Slack channel sets them, the gateway reads them. */
export const SLACK_BUTTON_ACTIONS = { approve: 'tfa_approve', reject: 'tfa_reject' } as const;

/** The `block_id` of the actions block that holds both buttons. */
export const SLACK_DECISION_BLOCK = 'tfa_decision';

/**
 * What a decision button names: the run, the request and the digest of the arguments its message
 * showed, so a click decides exactly that request and nothing posted after it.
 */
export const SlackButtonValue = z
  .object({
    workflowId: z.string().min(1).max(500),
    requestId: z.string().min(1).max(MESSAGE_LIMITS.requestId),
    argsDigest: z.string().regex(/^sha256:[0-9a-f]{64}$/, 'expected "sha256:<64 hex digits>"'),
  })
  .strict();
export type SlackButtonValue = z.infer<typeof SlackButtonValue>;

/** The button's `value` (Slack allows 2,000 characters; the schema's limits keep it well under). */
export function encodeButtonValue(value: SlackButtonValue): string {
  return JSON.stringify(value);
}

/** A button's `value` as the request it names, or undefined when it names none. */
export function decodeButtonValue(text: string | undefined): SlackButtonValue | undefined {
  if (text === undefined) return undefined;
  try {
    const parsed = SlackButtonValue.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The digest of the arguments an approval's one-line ask shows (`<tool> <JSON arguments>`, as
 * core/waiting.ts pendingAsk writes it): the same digest the request holds, computed from the text a
 * person reads. Undefined when the text shows no JSON object of arguments.
 */
export function digestOfShownArgs(ask: string): string | undefined {
  const space = ask.indexOf(' ');
  if (space <= 0) return undefined;
  let args: unknown;
  try {
    args = JSON.parse(ask.slice(space + 1));
  } catch {
    return undefined;
  }
  if (args === null || typeof args !== 'object' || Array.isArray(args)) return undefined;
  return argsDigest(args as Record<string, unknown>);
}
