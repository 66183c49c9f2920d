import { Client } from '@temporalio/client';
import { Runtime, type NativeConnection } from '@temporalio/worker';
import { SEARCH_ATTRIBUTE_NAMES } from '../core/constants';
import { FINAL_STATUSES, AgentStatus } from '../core/thread';
import type { MetricsEndpoint } from './runtime';

/** How often the gauges are counted again: a Prometheus scrape interval's order, a few count queries each time. */
export const RUN_GAUGE_INTERVAL_MS = 10_000;

/** The statuses an open run can be in. */
const OPEN_STATUSES = AgentStatus.options.filter((status) => !FINAL_STATUSES.includes(status));

/**
 * Gauges of what the task queue's runs are doing now, counted from Temporal's visibility (so they hold
 * across worker restarts and for runs another worker started): `tfa_runs{status}` for open runs by
 * agent status, and `tfa_approvals_waiting` (a run waits for at most one request). Every worker of the
 * queue reports the same numbers: aggregate with max, not sum.
 */
export function startRunGauges(options: {
  client: Client;
  taskQueue: string;
  intervalMs?: number;
  warn?: (text: string) => void;
}): { stop(): void } {
  const meter = Runtime.instance().metricMeter.withTags({ taskQueue: options.taskQueue });
  const runs = meter.createGauge('tfa_runs', 'int', 'runs', 'Open agent runs on the task queue, by agent status');
  const waiting = meter.createGauge(
    'tfa_approvals_waiting',
    'int',
    'requests',
    'Approval requests waiting for a decision on the task queue',
  );
  const queue = options.taskQueue.replaceAll("'", '');
  const count = async (status: AgentStatus) => {
    const query = `TaskQueue = '${queue}' AND ExecutionStatus = 'Running' AND ${SEARCH_ATTRIBUTE_NAMES.status} = '${status}'`;
    return (await options.client.workflow.count(query)).count;
  };
  let failing = false;
  const sample = async () => {
    try {
      const counts = await Promise.all(OPEN_STATUSES.map(async (status) => [status, await count(status)] as const));
      for (const [status, value] of counts) runs.set(value, { status });
      waiting.set(counts.find(([status]) => status === 'awaiting_approval')?.[1] ?? 0);
      failing = false;
    } catch (error) {
      if (!failing)
        options.warn?.(
          `[tfa] metrics: counting runs failed (the gauges keep their last values): ${error instanceof Error ? error.message : String(error)}`,
        );
      failing = true;
    }
  };
  let running = sample();
  const timer = setInterval(() => void (running = running.then(sample)), options.intervalMs ?? RUN_GAUGE_INTERVAL_MS);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

/**
 * With a metrics endpoint (installWorkerRuntime got it), starts the run gauges over the worker's own
 * connection and says where to scrape; without one, does nothing.
 */
export function startWorkerMetrics(
  endpoint: MetricsEndpoint | undefined,
  options: { connection: NativeConnection; namespace: string; taskQueue: string; write?: (text: string) => void },
): { stop(): void } {
  if (!endpoint) return { stop: () => undefined };
  const write = options.write ?? console.log;
  const client = new Client({ connection: options.connection, namespace: options.namespace });
  write(
    `[tfa] Prometheus metrics: http://${endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host}:${endpoint.port}/metrics`,
  );
  return startRunGauges({ client, taskQueue: options.taskQueue, warn: write });
}
