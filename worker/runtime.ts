import { DefaultLogger, Runtime } from '@temporalio/worker';
import type { TfaConfig } from '../core/config';
import { RUN_METRICS } from '../core/run-metrics';

/** Where the worker serves Prometheus metrics (TFA_METRICS_HOST:TFA_METRICS_PORT); none when the port is unset. */
export interface MetricsEndpoint {
  host: string;
  port: number;
}

/** The endpoint TFA_METRICS_PORT asks for, or undefined (no metrics exporter, nothing bound). */
export function metricsEndpoint(
  config: Pick<TfaConfig, 'TFA_METRICS_PORT' | 'TFA_METRICS_HOST'>,
): MetricsEndpoint | undefined {
  return config.TFA_METRICS_PORT === undefined
    ? undefined
    : { host: config.TFA_METRICS_HOST, port: config.TFA_METRICS_PORT };
}

/** Approval waits last from seconds to days: buckets from 10 s to a week. */
const APPROVAL_WAIT_BUCKETS = [
  10,
  30,
  60,
  300,
  900,
  1_800,
  3_600,
  4 * 3_600,
  12 * 3_600,
  86_400,
  3 * 86_400,
  7 * 86_400,
];

/**
 * The process's one Temporal Runtime: its log level from TFA_LOG_LEVEL (default WARN), for the SDK and
 * its native core alike, and with `metrics` a Prometheus endpoint at http://host:port/metrics serving
 * Temporal's worker metrics (`temporal_*`) and tfa's own (`tfa_*`, emitted through the SDK's meters).
 */
export function installWorkerRuntime(level: TfaConfig['TFA_LOG_LEVEL'], metrics?: MetricsEndpoint): void {
  const host = metrics?.host.includes(':') ? `[${metrics.host}]` : metrics?.host;
  Runtime.install({
    logger: new DefaultLogger(level),
    telemetryOptions: {
      logging: { filter: { core: level, other: level } },
      ...(metrics && {
        metrics: {
          prometheus: {
            bindAddress: `${host}:${metrics.port}`,
            histogramBucketOverrides: { [RUN_METRICS.approvalWait.name]: APPROVAL_WAIT_BUCKETS },
          },
        },
      }),
    },
  });
}
