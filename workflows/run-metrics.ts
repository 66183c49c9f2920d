import { metricMeter } from '@temporalio/workflow';
import type { AgentState } from '../core/reducer';
import { metricPointsOf } from '../core/run-metrics';
import type { ThreadEvent } from '../core/thread';

/**
 * Emits what an event adds to tfa's run metrics through the workflow's metric meter (tagged with
 * namespace, task queue and workflow type by the worker). The SDK drops these calls while it replays,
 * so a run the worker replays (a cache eviction, a restart, a query) counts nothing twice.
 */
export function emitRunMetrics(event: ThreadEvent, before: AgentState): void {
  for (const { metric, value, tags } of metricPointsOf(event, before)) {
    if (metric.kind === 'counter')
      metricMeter.createCounter(metric.name, metric.unit, metric.description).add(value, tags);
    else metricMeter.createHistogram(metric.name, 'float', metric.unit, metric.description).record(value, tags);
  }
}
