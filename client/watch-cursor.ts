/**
 * The ids a follow gives its items (SSE `id:` lines), read back from `Last-Event-ID` to resume right
 * after that item: `<runId>:<index>` (an agent run's event), `<runId>:end`, and in a pipeline
 * `<child>/start`, `<child>/<agent cursor>` and `end`.
 */
import { TfaError } from '../core/errors';

/** A Last-Event-ID this follow never gave: the caller's fault, named with the id. */
export class InvalidCursorError extends TfaError {}

type AgentCursor = { kind: 'event'; runId: string; index: number } | { kind: 'end' };
export type WatchCursor =
  | AgentCursor
  /** Within the pipeline's `child`-th child (by start order); no `within`: right after it started. */
  | { kind: 'pipeline'; child: number; within?: AgentCursor };

const AGENT_CURSOR = /^([\w-]{1,100}):(?:(\d{1,9})|end)$/;
const CHILD_CURSOR = /^(\d{1,6})\/(start|.+)$/;

function agentCursor(text: string): AgentCursor | undefined {
  const match = AGENT_CURSOR.exec(text);
  if (!match) return undefined;
  return match[2] === undefined ? { kind: 'end' } : { kind: 'event', runId: match[1]!, index: Number(match[2]) };
}

function parseCursor(text: string, pipeline: boolean): WatchCursor | undefined {
  if (!pipeline) return agentCursor(text);
  if (text === 'end') return { kind: 'end' };
  const match = CHILD_CURSOR.exec(text);
  if (!match) return undefined;
  const child = Number(match[1]);
  if (match[2] === 'start') return { kind: 'pipeline', child };
  const within = agentCursor(match[2]!);
  return within && { kind: 'pipeline', child, within };
}

/** The position after `text` (undefined: from the start); an id of another kind of run's follow is refused. */
export function afterCursor(text: string | undefined, pipeline: boolean): WatchCursor | undefined {
  if (text === undefined || text === '') return undefined;
  const cursor = parseCursor(text, pipeline);
  if (cursor) return cursor;
  throw new InvalidCursorError(
    `Last-Event-ID "${text.slice(0, 120)}" is not an id this ${pipeline ? 'pipeline' : 'run'}'s event stream gave: reconnect without it to start over`,
  );
}
