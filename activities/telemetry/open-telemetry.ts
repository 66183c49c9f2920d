// The OpenTelemetry SDK and Temporal's interceptors, loaded only by startTracing (tracing.ts) when tracing is on.
import { context, propagation, SpanKind, SpanStatusCode, trace, type Attributes, type Span } from '@opentelemetry/api';
import { OTLPTraceExporter as OTLPJsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OTLPProtobufTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { detectResourcesSync, envDetectorSync, Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry/lib/client';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry/lib/worker';
import { ConfigurationError } from '../../core/errors';
import { TRACING_WORKFLOW_MODULES, type SpanRole, type Tracing } from './tracing';

const SPAN_KINDS: Record<SpanRole, SpanKind> = {
  internal: SpanKind.INTERNAL,
  server: SpanKind.SERVER,
  client: SpanKind.CLIENT,
};

/** OTLP over HTTP in the encoding OTEL_EXPORTER_OTLP_[TRACES_]PROTOCOL names (default http/protobuf, the OTLP default). */
function otlpExporter(env: Readonly<Record<string, string | undefined>>): SpanExporter {
  const protocol = (
    env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ||
    env.OTEL_EXPORTER_OTLP_PROTOCOL ||
    'http/protobuf'
  ).trim();
  if (protocol === 'http/protobuf') return new OTLPProtobufTraceExporter();
  if (protocol === 'http/json') return new OTLPJsonTraceExporter();
  throw new ConfigurationError(
    `OTEL_EXPORTER_OTLP_PROTOCOL=${protocol} is not supported: tfa exports traces over OTLP/HTTP. ` +
      "Set http/protobuf (the default) or http/json and point OTEL_EXPORTER_OTLP_ENDPOINT at the collector's HTTP port (usually 4318).",
  );
}

/** The failure's Temporal type (our error classes' names) or its class name, for the `error.type` attribute. */
function errorType(error: unknown): string {
  const type = (error as { type?: unknown } | null)?.type;
  if (typeof type === 'string') return type;
  return error instanceof Error ? error.name : String(error);
}

function failSpan(span: Span, error: unknown): void {
  span.setAttribute('error.type', errorType(error));
  span.setStatus({ code: SpanStatusCode.ERROR, ...(error instanceof Error && { message: error.message }) });
}

/** Registers a tracer provider for this process: OTEL_SERVICE_NAME (default `serviceName`) and OTEL_RESOURCE_ATTRIBUTES name it. */
export function startOpenTelemetry(env: Readonly<Record<string, string | undefined>>, serviceName: string): Tracing {
  const resource = Resource.default()
    .merge(new Resource({ 'service.name': serviceName }))
    .merge(detectResourcesSync({ detectors: [envDetectorSync] }));
  const spanProcessor = new BatchSpanProcessor(otlpExporter(env));
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  provider.register(); // AsyncLocalStorage context and W3C trace-context propagation, which Temporal's headers use
  const tracer = provider.getTracer('tfa');
  const startSpan = (name: string, role: SpanRole, attributes?: Attributes) =>
    tracer.startSpan(name, { kind: SPAN_KINDS[role], attributes });
  return {
    tracer,
    startSpan,
    failSpan,
    withSpan: (span, work) => context.with(trace.setSpan(context.active(), span), work),
    inSpan: (name, role, attributes, work) =>
      tracer.startActiveSpan(name, { kind: SPAN_KINDS[role], attributes }, async (span) => {
        try {
          return await work(span);
        } catch (error) {
          failSpan(span, error);
          throw error;
        } finally {
          span.end();
        }
      }),
    clientInterceptors: () => ({ workflow: [new OpenTelemetryWorkflowClientInterceptor()] }),
    workerOptions: () => ({
      interceptors: {
        activity: [
          (ctx) => ({
            inbound: new OpenTelemetryActivityInboundInterceptor(ctx),
            outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
          }),
        ],
        workflowModules: [...TRACING_WORKFLOW_MODULES],
      },
      sinks: { exporter: makeWorkflowExporter(spanProcessor, resource) },
    }),
    flush: () => provider.forceFlush(),
    async shutdown() {
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}
