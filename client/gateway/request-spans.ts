import type { Span } from '@opentelemetry/api';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Tracing } from '../../activities/telemetry/tracing';

/**
 * Each request becomes a server span named `<METHOD> <route>` (HTTP semantic conventions), the root of
 * the trace its Temporal calls join: the span is active while the handler runs, so starting a run
 * carries it into the workflow's headers.
 */
export function traceRequests(app: FastifyInstance, tracing: Tracing): void {
  const spans = new WeakMap<FastifyRequest, Span>();
  app.addHook('onRequest', (request, _reply, done) => {
    const route = request.routeOptions.url;
    spans.set(
      request,
      tracing.startSpan(route ? `${request.method} ${route}` : request.method, 'server', {
        'http.request.method': request.method,
        'url.path': request.url.split('?')[0],
        ...(route && { 'http.route': route }),
      }),
    );
    done();
  });
  // Entered after the body is read: the body parser's callbacks run outside the request's async context.
  app.addHook('preHandler', (request, _reply, done) => {
    const span = spans.get(request);
    if (span) tracing.withSpan(span, done);
    else done();
  });
  app.addHook('onResponse', (request, reply, done) => {
    const span = spans.get(request);
    span?.setAttribute('http.response.status_code', reply.statusCode);
    // Server spans mark 5xx only: a 4xx is the caller's error, answered as designed.
    if (span && reply.statusCode >= 500) tracing.failSpan(span, reply.statusCode);
    span?.end();
    done();
  });
}
