/**
 * GET /runs/:id/events: `tfa watch` as server-sent events. Each item is one SSE event whose `id:` a client
 * sends back as Last-Event-ID to get only what it has not seen; the stream closes when the run ends.
 */
import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { WatchItem } from '../follow-run';
import type { Runs } from '../runs';
import { InvalidCursorError } from '../watch-cursor';
import { parseWith } from './bodies';
import { GatewayError } from './errors';

/** Limits on what watchers can make the gateway hold. */
export interface WatchLimits {
  /** Streams open at once; one more is answered 503. Default 32. */
  maxStreams: number;
  /** How long a client may leave an event unread (its socket buffer full) before its stream is closed (ms). Default 30 s. */
  drainTimeoutMs: number;
}
export const DEFAULT_WATCH_LIMITS: WatchLimits = { maxStreams: 32, drainTimeoutMs: 30_000 };

const RunParams = z.object({ id: z.string().min(1) });

/** One SSE frame: a keep-alive comment for an idle long-poll, else `id`, `event` (the item's type) and JSON `data`. */
export function sseFrame(item: WatchItem): string {
  if (item.type === 'idle') return ': keep-alive\n\n';
  const { type, id, ...data } = item;
  return `id: ${id}\nevent: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** Writes a frame, waiting while the client's socket buffer is full; false when the client is gone or too slow. */
function send(raw: ServerResponse, frame: string, drainTimeoutMs: number): Promise<boolean> {
  if (raw.destroyed) return Promise.resolve(false);
  if (raw.write(frame)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      raw.off('drain', drained).off('close', closed);
      resolve(ok);
    };
    const drained = () => done(true);
    const closed = () => done(false);
    const timer = setTimeout(() => done(false), drainTimeoutMs);
    raw.once('drain', drained).once('close', closed);
  });
}

function lastEventId(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  return value?.trim() || undefined;
}

/** Registers the route in the run API's scope, so its bearer token applies. */
export function registerWatchRoute(
  scope: FastifyInstance,
  runs: Runs,
  limits: WatchLimits = DEFAULT_WATCH_LIMITS,
): void {
  let open = 0;
  scope.get('/runs/:id/events', async (request, reply) => {
    const { id } = parseWith(RunParams, request.params, 'path');
    if (open >= limits.maxStreams)
      throw new GatewayError(503, 'too_many_watchers', `${limits.maxStreams} event streams are open: retry later`);
    const abort = new AbortController();
    const cursor = lastEventId(request.headers['last-event-id']);
    const items = await runs.follow(id, { cursor, signal: abort.signal }).catch((error: unknown) => {
      if (error instanceof InvalidCursorError) throw new GatewayError(400, 'invalid_last_event_id', error.message);
      throw error;
    });
    // Nothing after that id: the run had ended; 204 tells an EventSource not to reconnect.
    if (!items) return reply.code(204).send();
    open++;
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      'x-accel-buffering': 'no',
    });
    raw.flushHeaders(); // the client knows the stream is open before the run's next event
    raw.once('close', () => abort.abort());
    try {
      for await (const item of items) {
        if (!(await send(raw, sseFrame(item), limits.drainTimeoutMs))) break;
        if (item.type === 'end' && !item.child) break;
      }
    } catch (error) {
      if (!abort.signal.aborted) {
        const message = error instanceof Error ? error.message : String(error);
        await send(raw, `event: error\ndata: ${JSON.stringify({ message })}\n\n`, limits.drainTimeoutMs);
      }
    } finally {
      open--;
      abort.abort();
      raw.end();
    }
  });
}
