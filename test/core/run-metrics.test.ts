import { metricPointsOf, RUN_METRICS } from '../../core/run-metrics';
import { reduce, replay, type AgentState } from '../../core/reducer';
import type { NewEvent, ThreadEvent } from '../../core/thread';

let counter = 0;
const at = (seconds: number) => new Date(Date.UTC(2025, 0, 1, 0, 0, seconds)).toISOString();
const ev = (event: NewEvent, seconds = 0): ThreadEvent =>
  ({ ...event, id: `e${++counter}`, at: at(seconds) }) as ThreadEvent;

/** The metric points of each event in turn, as the workflow emits them while it appends. */
function pointsOf(events: ThreadEvent[]) {
  let state: AgentState = replay([]);
  return events.flatMap((event) => {
    const points = metricPointsOf(event, state);
    state = reduce(state, event);
    return points.map(({ metric, value, tags }) => ({ name: metric.name, value, tags }));
  });
}

const started = ev({ type: 'run_started', agent: 'deploybot', maxSteps: 9 });
const requested = ev(
  {
    type: 'approval_requested',
    requestId: 'r1',
    callId: 'c1',
    tool: 'deploy_to_production',
    args: {},
    argsDigest: 'd',
  },
  10,
);

describe('run metrics', () => {
  it('counts a started run, its approval request, the decision and how long it waited, and how the run ended', () => {
    expect(
      pointsOf([
        started,
        requested,
        ev({ type: 'approval_granted', requestId: 'r1', by: 'alice' }, 100),
        ev({ type: 'done', callId: 'c2', tool: 'done_for_now', payload: {} }),
      ]),
    ).toEqual([
      { name: 'tfa_runs_started', value: 1, tags: { agent: 'deploybot' } },
      { name: 'tfa_approvals_requested', value: 1, tags: { agent: 'deploybot', tool: 'deploy_to_production' } },
      {
        name: 'tfa_approvals_decided',
        value: 1,
        tags: { agent: 'deploybot', tool: 'deploy_to_production', decision: 'approved' },
      },
      {
        name: RUN_METRICS.approvalWait.name,
        value: 90,
        tags: { agent: 'deploybot', tool: 'deploy_to_production', decision: 'approved' },
      },
      { name: 'tfa_runs_ended', value: 1, tags: { agent: 'deploybot', status: 'completed' } },
    ]);
  });

  it('counts errors by source, type and code, and a run that ends without finishing by its status', () => {
    expect(
      pointsOf([
        started,
        ev({ type: 'error', source: 'model', errorType: 'ModelOutputError', code: 'unknown_tool', message: 'x' }),
        ev({ type: 'error', source: 'tool', errorType: 'ToolExecutionError', message: 'y' }),
        ev({ type: 'run_ended', status: 'max_steps_reached', reason: 'limit' }),
      ]).slice(1),
    ).toEqual([
      {
        name: 'tfa_errors',
        value: 1,
        tags: { agent: 'deploybot', source: 'model', error_type: 'ModelOutputError', code: 'unknown_tool' },
      },
      {
        name: 'tfa_errors',
        value: 1,
        tags: { agent: 'deploybot', source: 'tool', error_type: 'ToolExecutionError', code: '' },
      },
      { name: 'tfa_runs_ended', value: 1, tags: { agent: 'deploybot', status: 'max_steps_reached' } },
    ]);
  });

  it('records no decision for a rejection that names another request than the pending one', () => {
    expect(
      pointsOf([
        started,
        requested,
        ev({ type: 'approval_rejected', requestId: 'other', by: 'bob', reason: 'no' }, 20),
      ]).map((point) => point.name),
    ).toEqual(['tfa_runs_started', 'tfa_approvals_requested']);
  });
});
