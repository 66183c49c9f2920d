// GET /runs/:id/events bounds what watchers make the gateway hold: a cap on open streams.
import Fastify, { type FastifyInstance } from 'fastify';
import type { WatchItem } from '../../client/follow-run';
import { registerWatchRoute, sseFrame } from '../../client/gateway/watch-route';
import type { Runs } from '../../client/runs';

let app: FastifyInstance | undefined;
const streams: AbortController[] = [];
afterEach(async () => {
  for (const stream of streams) stream.abort();
  await app?.close();
});

/** A run that never moves: its follow gives nothing until the stream is closed. */
async function* stillRun(signal?: AbortSignal): AsyncGenerator<WatchItem> {
  await new Promise((resolve) => signal?.addEventListener('abort', resolve, { once: true }));
}
const quietRuns = { follow: async (_id: string, options?: { signal?: AbortSignal }) => stillRun(options?.signal) };

async function open(url: string) {
  const abort = new AbortController();
  streams.push(abort);
  return fetch(url, { signal: abort.signal });
}

test('a stream over the cap is refused with 503 while the open one streams', async () => {
  app = Fastify();
  registerWatchRoute(app, quietRuns as unknown as Runs, { maxStreams: 1, drainTimeoutMs: 1_000 });
  const url = `${await app.listen({ host: '127.0.0.1', port: 0 })}/runs/quiet/events`;
  const first = await open(url);
  expect(first.status).toBe(200);
  expect(first.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
  const second = await open(url);
  expect(second.status).toBe(503);
});

test('an SSE frame carries the id to resume from, the item type as the event, and the rest as JSON data', () => {
  const item: WatchItem = {
    type: 'end',
    id: 'run-1:end',
    workflowId: 'deploy-main',
    outcome: 'completed',
    succeeded: true,
  };
  expect(sseFrame(item)).toBe(
    'id: run-1:end\nevent: end\ndata: {"workflowId":"deploy-main","outcome":"completed","succeeded":true}\n\n',
  );
  expect(sseFrame({ type: 'idle' })).toBe(': keep-alive\n\n');
});
