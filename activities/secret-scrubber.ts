/** Names whose values are secrets of the worker: the model key, the gateway token, every *_SECRET, *_TOKEN, *_KEY, *_PASSWORD. */
const SECRET_NAME = /(^OPENAI_API_KEY$)|(^TFA_GATEWAY_TOKEN$)|(_SECRET$)|(_TOKEN$)|(_KEY$)|(_PASSWORD$)/;

/** `*_KEYS` hold comma lists of `<id>:<secret>` (TFA_ENCRYPTION_KEYS): each secret part is scrubbed on its own. */
const SECRET_LIST_NAME = /_KEYS$/;

function secretValues(name: string, value: string): string[] {
  if (!SECRET_LIST_NAME.test(name)) return [value];
  return value.split(',').map((entry) => entry.slice(entry.indexOf(':') + 1).trim());
}

/** Values shorter than this are not scrubbed: replacing "1" or "true" everywhere would garble output. */
const MIN_SECRET_LENGTH = 8;

export type SecretScrubber = (text: string) => string;

/**
 * Replaces the values of the worker's secret variables in text bound for the thread, the
 * history and the model (second line of defence: release commands already run without them).
 * Each value is also matched in its JSON-escaped form, since tool output enters as JSON.
 */
export function secretScrubber(source: Readonly<Record<string, string | undefined>>): SecretScrubber {
  const secrets = Object.entries(source)
    .filter(
      (entry): entry is [string, string] =>
        entry[1] !== undefined && (SECRET_NAME.test(entry[0]) || SECRET_LIST_NAME.test(entry[0])),
    )
    .flatMap(([name, value]) => secretValues(name, value).map((secret) => [name, secret] as const))
    .filter(([, value]) => value.length >= MIN_SECRET_LENGTH)
    .flatMap(([name, value]) =>
      [...new Set([value, JSON.stringify(value).slice(1, -1)])].map((form) => ({ name, form })),
    )
    // Longest first, so a secret containing another is replaced whole.
    .sort((a, b) => b.form.length - a.form.length);
  return (text) => secrets.reduce((scrubbed, { name, form }) => scrubbed.split(form).join(`[redacted ${name}]`), text);
}
