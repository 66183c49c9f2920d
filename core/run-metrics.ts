import type { AgentState } from './reducer';
import { isApprovalLike } from './waiting';
import type { ThreadEvent } from './thread';

/** tfa's metrics a run's events drive (the worker exports them with TFA_METRICS_PORT). */
export const RUN_METRICS = {
  runsStarted: {
    name: 'tfa_runs_started',
    kind: 'counter',
    unit: 'runs',
    description: 'Agent runs started (continued runs are not counted again)',
  },
  runsEnded: {
    name: 'tfa_runs_ended',
    kind: 'counter',
    unit: 'runs',
    description: 'Agent runs ended, by final status',
  },
  approvalsRequested: {
    name: 'tfa_approvals_requested',
    kind: 'counter',
    unit: 'requests',
    description: 'Approval requests made, by tool',
  },
  approvalsDecided: {
    name: 'tfa_approvals_decided',
    kind: 'counter',
    unit: 'requests',
    description: 'Approval requests decided, by tool and decision',
  },
  approvalWait: {
    name: 'tfa_approval_wait_seconds',
    kind: 'histogram',
    unit: 's',
    description: 'Time from an approval request to its decision',
  },
  errors: {
    name: 'tfa_errors',
    kind: 'counter',
    unit: 'errors',
    description: 'Error events in threads, by source, type and code',
  },
} as const;

export type RunMetric = (typeof RUN_METRICS)[keyof typeof RUN_METRICS];

/** One value to add to a counter or record on a histogram, with its tags. */
export interface MetricPoint {
  metric: RunMetric;
  value: number;
  tags: Record<string, string>;
}

/** Seconds from `since` to `until` (ISO times), never negative. */
function secondsBetween(since: string, until: string): number {
  return Math.max(0, (Date.parse(until) - Date.parse(since)) / 1000);
}

/** What one event adds to the metrics, given the state just before it (pure: the workflow emits the points). */
export function metricPointsOf(event: ThreadEvent, before: AgentState): MetricPoint[] {
  const agent = event.type === 'run_started' ? event.agent : before.agent;
  const point = (metric: RunMetric, tags: Record<string, string> = {}, value = 1): MetricPoint => ({
    metric,
    value,
    tags: { agent, ...tags },
  });
  switch (event.type) {
    case 'run_started':
      return [point(RUN_METRICS.runsStarted)];
    case 'done':
      return [point(RUN_METRICS.runsEnded, { status: 'completed' })];
    case 'run_ended':
      return [point(RUN_METRICS.runsEnded, { status: event.status })];
    case 'approval_requested':
      return [point(RUN_METRICS.approvalsRequested, { tool: event.tool })];
    case 'approval_granted':
    case 'approval_rejected': {
      const pending = before.pending;
      if (!pending || !isApprovalLike(pending) || pending.requestId !== event.requestId) return [];
      const tags = { tool: pending.tool ?? '', decision: event.type === 'approval_granted' ? 'approved' : 'rejected' };
      return [
        point(RUN_METRICS.approvalsDecided, tags),
        point(RUN_METRICS.approvalWait, tags, secondsBetween(pending.since, event.at)),
      ];
    }
    case 'error':
      return [point(RUN_METRICS.errors, { source: event.source, error_type: event.errorType, code: event.code ?? '' })];
    default:
      return [];
  }
}
