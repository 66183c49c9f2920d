/**
 * Reading helpers for the SIMULATED demo policies (not an LLM): they read the event log as
 * core/context.ts renders it into the last user message, e.g.
 *
 *   <user_message by='alice'>deploy main</user_message>
 *   <tool_result tool='run_test_suite'>{suite: default, passed: true, ...}</tool_result>
 *   <approval_rejected by='bob'>change freeze</approval_rejected>
 *
 * Tool results are YAML flow text (core/flow-text.ts; JSON is read too). Bodies are XML-escaped
 * (& < >) and may be cut: a result over MAX_TOOL_OUTPUT_CHARS ends in "… [N more characters cut]"
 * and an elided one in "…". So lists are read field by field with `field` and `objectsStartingWith`.
 */

export interface RenderedElement {
  /** The raw attribute text, e.g. ` tool="run_tests" truncated="true"`. */
  readonly attributes: string;
  /** The body, unescaped; '' for a self-closing element. */
  readonly body: string;
}

const ENTITIES: Readonly<Record<string, string>> = {
  '&lt;': '<',
  '&gt;': '>',
  '&quot;': '"',
  '&apos;': "'",
  '&amp;': '&',
};

/** Undoes core/context.ts escaping in one pass, so `&amp;lt;` stays `&lt;`. */
export function unescapeXml(text: string): string {
  return text.replace(/&(?:lt|gt|quot|apos|amp);/g, (entity) => ENTITIES[entity]!);
}

/** Text of a message's content, whether a string or an array of text parts. */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part) =>
      typeof part === 'object' && part !== null && typeof (part as { text?: unknown }).text === 'string'
        ? (part as { text: string }).text
        : '',
    )
    .join('');
}

/** Every `<name ...>` element of the context, in order, self-closing or not. */
export function elements(context: string, name: string): RenderedElement[] {
  const pattern = new RegExp(`<${name}\\b([^>]*?)(?:/>|>([\\s\\S]*?)</${name}>)`, 'g');
  return [...context.matchAll(pattern)].map((match) => ({
    attributes: match[1] ?? '',
    body: unescapeXml(match[2] ?? ''),
  }));
}

export function attribute(element: RenderedElement, name: string): string | undefined {
  const match = new RegExp(`\\b${name}=(?:'([^']*)'|"([^"]*)")`).exec(element.attributes);
  const value = match?.[1] ?? match?.[2];
  return value === undefined ? undefined : unescapeXml(value);
}

/** Bodies of the `<tool_result>` elements of `tool`, oldest first. */
export function toolResults(context: string, tool: string): string[] {
  return elements(context, 'tool_result')
    .filter((element) => attribute(element, 'tool') === tool)
    .map((element) => element.body);
}

/** The task: the body of the first `<user_message>`, or undefined when there is none. */
export function taskText(context: string): string | undefined {
  return elements(context, 'user_message')[0]?.body.trim();
}

/** The last rejection's reason (its `reason` attribute or its text), trimmed; null when nothing was rejected. */
export function rejectionReason(context: string): string | null {
  const rejected = elements(context, 'approval_rejected').at(-1);
  if (rejected === undefined) return null;
  return (attribute(rejected, 'reason') ?? rejected.body).trim() || 'no reason given';
}

/** A value in flow text or JSON: a double- or single-quoted string, or bare text up to the next separator. */
const VALUE = String.raw`("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s,{}[\]'"][^,{}[\]]*)`;

function parseValue(text: string): unknown {
  if (text.startsWith('"')) return JSON.parse(text);
  if (text.startsWith("'")) return text.slice(1, -1).replace(/''/g, "'");
  const bare = text.trim();
  if (/^(?:true|false|null)$|^-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?$/.test(bare)) return JSON.parse(bare);
  return bare;
}

/**
 * The first `key: value` (flow text) or `"key":value` (JSON) in a result, parsed; undefined when
 * absent or cut inside a quoted value. The key must follow `{`, `[` or `,`, so it is a key, not text.
 */
export function field(text: string, key: string): unknown {
  const match = new RegExp(String.raw`(?:^|[{,[]\s*)(?:${key}|"${key}"|'${key}')\s*:\s*${VALUE}`).exec(text);
  if (match === null) return undefined;
  try {
    return parseValue(match[1]!);
  } catch {
    return undefined;
  }
}

/** The text of each object in a list whose first key is `firstKey`, e.g. `{suite: ...}`; read each with `field`. */
export function objectsStartingWith(text: string, firstKey: string): string[] {
  return text
    .split(new RegExp(String.raw`\{\s*(?=(?:${firstKey}|"${firstKey}"|'${firstKey}')\s*:)`))
    .slice(1)
    .map((rest) => `{${rest}`);
}

export function stringField(json: string, key: string): string | undefined {
  const value = field(json, key);
  return typeof value === 'string' ? value : undefined;
}
