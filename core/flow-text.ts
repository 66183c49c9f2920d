/**
 * JSON values as YAML-like flow text for the model's context (F3): `{environment: staging, passed: true}`
 * instead of `{"environment":"staging","passed":true}`. The context travels in the model activity's
 * input, JSON-encoded in the run's history, where every double quote costs an escape; this form has
 * none, and costs fewer tokens. It is YAML (a flow collection): strings are quoted only when bare text
 * would read as something else, and YAML reads every value back as JSON.parse gave it.
 */

/** Words and forms that YAML would read as a boolean, null or special number: quoted when they are strings. */
const RESERVED = /^(?:true|false|null|~|yes|no|on|off|y|n|[-+]?\.inf|\.nan)$/i;
/** Strings that read as a number (a SHA of digits only, "0042", "1e5"): quoted. */
const NUMERIC = /^[-+]?(?:\d[\d_]*(?:\.\d*)?|\.\d+)(?:e[-+]?\d+)?$|^[-+]?0[xob]/i;
/**
 * Bare text, as a YAML flow scalar may be: no control character, comma, bracket or comment sign, no
 * quote or YAML indicator first, no space or colon last, no ": " inside, no document marker.
 */
const BARE = /^[^\s\x00-\x1f\x7f'"\\,{}[\]#&*!|>%@`?:-](?:[^\x00-\x1f\x7f,{}[\]#]*[^\s\x00-\x1f\x7f,{}[\]#:])?$/;
const CONTROL = /[\x00-\x1f\x7f]/;

function isBare(text: string): boolean {
  return (
    BARE.test(text) &&
    !text.includes(': ') &&
    !RESERVED.test(text) &&
    !NUMERIC.test(text) &&
    !/^(?:---|\.\.\.)/.test(text)
  );
}

/**
 * A string as YAML reads it back: bare when it can be, else in single quotes (a quote doubled);
 * with control characters (a log's line breaks), in double quotes with JSON's escapes.
 */
function scalar(text: string): string {
  if (isBare(text)) return text;
  return CONTROL.test(text) ? JSON.stringify(text) : `'${text.replace(/'/g, "''")}'`;
}

/** A JSON value (as JSON.parse gives it) as flow text; anything else JSON would not carry renders as null. */
export function flowText(value: unknown): string {
  if (typeof value === 'string') return scalar(value);
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  if (typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(flowText).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, inner]) => inner !== undefined);
    return `{${entries.map(([key, inner]) => `${scalar(key)}: ${flowText(inner)}`).join(', ')}}`;
  }
  return 'null';
}

/** JSON text (a tool's output) as flow text; the text itself when it is not JSON. */
export function flowTextOfJson(text: string): string {
  const start = text.trimStart()[0];
  if (start === undefined || !'{["-0123456789tfn'.includes(start)) return text;
  try {
    return flowText(JSON.parse(text));
  } catch {
    return text;
  }
}

/** One JSON token: a string (or, at the end, the start of one), a number, a literal or punctuation. */
const JSON_TOKEN =
  /\s*(?:("(?:[^"\\]|\\.)*")|"((?:[^"\\]|\\.)*\\?)$|(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|true|false|null)|([{}[\],:]))/y;

/** The start of a JSON string cut short, decoded; an escape cut in half is left out. */
function cutString(content: string): string | undefined {
  for (const candidate of [content, content.replace(/\\(?:u[0-9a-fA-F]{0,3})?$/, '')]) {
    try {
      return JSON.parse(`"${candidate}"`) as string;
    } catch {
      continue;
    }
  }
  return undefined;
}

/**
 * The start of JSON text (a tool's output cut short) as flow text, token by token, a string cut in
 * the middle included; from where it stops being JSON, the text as it is.
 */
export function flowTextOfJsonPrefix(text: string): string {
  const whole = flowTextOfJson(text);
  if (whole !== text) return whole;
  let out = '';
  let at = 0;
  JSON_TOKEN.lastIndex = 0;
  for (let match = JSON_TOKEN.exec(text); match; match = JSON_TOKEN.exec(text)) {
    const [, string, cut, literal, punctuation] = match;
    const decoded = cut === undefined ? undefined : cutString(cut);
    if (cut !== undefined && decoded === undefined) break;
    at = JSON_TOKEN.lastIndex;
    if (string !== undefined) out += scalar(JSON.parse(string) as string);
    else if (decoded !== undefined) out += scalar(decoded);
    else if (literal !== undefined) out += literal;
    else out += punctuation === ':' ? ': ' : punctuation === ',' ? ', ' : punctuation;
  }
  return at === 0 ? text : out + text.slice(at);
}
