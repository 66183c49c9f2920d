import { replay } from '../../core/reducer';
import type { NewEvent } from '../../core/thread';
import { eventFactory } from './support/events';

function stateAfter(...rest: NewEvent[]) {
  const stamp = eventFactory();
  return replay([
    stamp({ type: 'run_started', agent: 'deploybot', maxSteps: 5 }),
    stamp({ type: 'user_message', text: 'deploy' }),
    ...rest.map(stamp),
  ]);
}

const approval: NewEvent = {
  type: 'approval_requested',
  requestId: 'r1',
  callId: 'c1',
  tool: 'deploy_to_production',
  args: {},
  argsDigest: 'sha256:00',
};

describe('a pause request in the state', () => {
  it('shows who asked and why while the run keeps its status', () => {
    expect(stateAfter(approval, { type: 'pause_requested', by: 'gina', reason: 'look first' })).toMatchObject({
      status: 'awaiting_approval',
      pauseRequested: { by: 'gina', reason: 'look first' },
    });
  });

  it.each<[string, NewEvent]>([
    ['taking effect', { type: 'paused', by: 'gina' }],
    ['being withdrawn', { type: 'pause_withdrawn', by: 'gina' }],
    ['the run ending', { type: 'run_ended', status: 'failed', reason: 'stopped' }],
  ])('is gone after %s', (_name, event) => {
    expect(stateAfter({ type: 'pause_requested', by: 'gina' }, event)).not.toHaveProperty('pauseRequested');
  });
});
