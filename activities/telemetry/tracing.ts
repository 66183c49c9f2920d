// Tracing is off unless OpenTelemetry's standard variables ask for it; then worker, gateway and CLI
// export spans over OTLP/HTTP. Everything here is type-only until startTracing loads the SDK, so a
// process with tracing off loads no OpenTelemetry module at all.
import { readFileSync } from 'node:fs';
import type { Attributes, Span, Tracer } from '@opentelemetry/api';
import type { WorkflowClientInterceptor } from '@temporalio/client';
import type { WorkerOptions } from '@temporalio/worker';

/** A span's role: `server` for a request we answer, `client` for a call we make, else `internal`. */
export type SpanRole = 'internal' | 'server' | 'client';

/** A started tracing SDK: what the worker, the clients and tfa's own spans need from it. */
export interface Tracing {
  readonly tracer: Tracer;
  /** Starts a span, a child of the active one (or a root); end it yourself. */
  startSpan(name: string, role: SpanRole, attributes?: Attributes): Span;
  /** Runs `work` with `span` active: Temporal calls and spans started inside become its children. */
  withSpan<T>(span: Span, work: () => T): T;
  /** Marks `span` failed: status ERROR and `error.type` (the failure's type, class name or an HTTP status). */
  failSpan(span: Span, error: unknown): void;
  /** Runs `work` in a new active span, ended when it settles; a throw is recorded on the span and rethrown. */
  inSpan<T>(name: string, role: SpanRole, attributes: Attributes, work: (span: Span) => Promise<T>): Promise<T>;
  /** Client interceptors: starting, signalling or updating a run carries the active span into the workflow's headers. */
  clientInterceptors(): { workflow: WorkflowClientInterceptor[] };
  /**
   * Worker options: Temporal's activity interceptors, the workflow interceptor module (bundled when the
   * worker bundles at start; a prebuilt bundle needs TRACING_WORKFLOW_MODULES) and the sink that
   * exports the workflow's spans from the sandbox.
   */
  workerOptions(): Required<Pick<WorkerOptions, 'interceptors' | 'sinks'>>;
  /** Exports every ended span now. */
  flush(): Promise<void>;
  /** Flushes, stops exporting and unregisters the SDK from this process. */
  shutdown(): Promise<void>;
}

/** Temporal's workflow interceptors, for bundleWorkflowCode's workflowInterceptorModules when tracing is on. */
export const TRACING_WORKFLOW_MODULES: readonly string[] = [
  require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors'),
];

/** Whether a prebuilt workflow bundle was built with TRACING_WORKFLOW_MODULES (they register this interceptor). */
export function bundleTracesWorkflows(bundle: { code: string } | { codePath: string }): boolean {
  const code = 'code' in bundle ? bundle.code : readFileSync(bundle.codePath, 'utf8');
  return code.includes('OpenTelemetryInboundInterceptor');
}

type Env = Readonly<Record<string, string | undefined>>;

const set = (value: string | undefined) => value !== undefined && value.trim() !== '';

/**
 * Whether the standard variables turn tracing on: an OTLP endpoint (OTEL_EXPORTER_OTLP_ENDPOINT or
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT), unless OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none.
 */
export function tracingEnabled(env: Env = process.env): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return false;
  if (env.OTEL_TRACES_EXPORTER?.trim().toLowerCase() === 'none') return false;
  return set(env.OTEL_EXPORTER_OTLP_ENDPOINT) || set(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

/**
 * Starts the OpenTelemetry SDK when tracingEnabled(), else returns undefined and loads nothing.
 * `serviceName` is the default for OTEL_SERVICE_NAME. The SDK reads the other standard variables from
 * this process's environment, as OpenTelemetry does everywhere: OTEL_EXPORTER_OTLP_PROTOCOL (http/protobuf,
 * the default, or http/json), OTEL_EXPORTER_OTLP_HEADERS, OTEL_RESOURCE_ATTRIBUTES, OTEL_TRACES_SAMPLER, OTEL_BSP_*.
 */
export async function startTracing(serviceName: string): Promise<Tracing | undefined> {
  if (!tracingEnabled()) return undefined;
  // require, not import(): a dynamic import of a .ts file escapes tsx's CommonJS hook (scripts/tfa.cjs).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { startOpenTelemetry } = require('./open-telemetry') as typeof import('./open-telemetry');
  return startOpenTelemetry(process.env, serviceName);
}
