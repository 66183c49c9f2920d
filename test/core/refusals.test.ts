import fc from 'fast-check';
import { findAgent } from '../../agents';
import { modelInputDigest, renderModelInput } from '../../core/model-input';
import { MAX_REFUSAL_EVENTS, OVERFLOW_REFUSAL, placeRefusal } from '../../core/refusals';
import { replay } from '../../core/reducer';
import type { EventOf, ThreadEvent } from '../../core/thread';
import { anyThread, eventFactory } from './support/events';

const deploybot = findAgent('deploybot')!;
type Refusal = Omit<EventOf<'decision_refused'>, 'id' | 'at'>;
const refusal = (by: string, reason = 'no request is pending'): Refusal => ({
  type: 'decision_refused',
  message: 'approve',
  by,
  reason,
});

/** Records a refusal as the run's thread does: folded in place, or appended. */
function record(events: ThreadEvent[], stamp: ReturnType<typeof eventFactory>, event: Refusal): void {
  const placement = placeRefusal(events, event);
  if ('fold' in placement) events[placement.fold] = placement.event;
  else events.push(stamp(placement.append));
}

function startedThread(stamp: ReturnType<typeof eventFactory>): ThreadEvent[] {
  return [
    stamp({ type: 'run_started', agent: 'deploybot', maxSteps: 5 }),
    stamp({ type: 'user_message', text: 'deploy main' }),
  ];
}

describe('placeRefusal', () => {
  it('folds an identical refusal into the earlier one by counting it', () => {
    const stamp = eventFactory();
    const events = startedThread(stamp);
    for (let index = 0; index < 1_000; index++) record(events, stamp, refusal('mallory'));
    expect(events).toHaveLength(3);
    expect(events[2]).toMatchObject({ ...refusal('mallory'), count: 1_000 });
  });

  it('keeps refusals that differ in sender, request or reason apart', () => {
    const stamp = eventFactory();
    const events = startedThread(stamp);
    record(events, stamp, refusal('mallory'));
    record(events, stamp, refusal('eve'));
    record(events, stamp, refusal('mallory', 'request r1 was already decided'));
    record(events, stamp, { ...refusal('mallory'), requestId: 'r1' });
    expect(events.filter((event) => event.type === 'decision_refused')).toHaveLength(4);
  });

  it(`counts refusals past ${MAX_REFUSAL_EVENTS} different ones on one overflow event, and still folds into kept ones`, () => {
    const stamp = eventFactory();
    const events = startedThread(stamp);
    for (let index = 0; index < MAX_REFUSAL_EVENTS + 500; index++) record(events, stamp, refusal(`sender-${index}`));
    record(events, stamp, refusal('sender-0'));
    const kept = events.filter((event): event is EventOf<'decision_refused'> => event.type === 'decision_refused');
    expect(kept).toHaveLength(MAX_REFUSAL_EVENTS + 1);
    expect(kept.at(-1)).toMatchObject({ ...OVERFLOW_REFUSAL, count: 500 });
    expect(kept[0]).toMatchObject({ by: 'sender-0', count: 2 });
  });

  it('never changes the state or the model input (its digest) of any thread it folds into', () => {
    fc.assert(
      fc.property(
        anyThread(40),
        fc.array(fc.constantFrom('alice', 'mallory', 'eve'), { maxLength: 30 }),
        (thread, senders) => {
          const stamp = eventFactory();
          const events = [...thread];
          senders.forEach((by) => record(events, stamp, refusal(by)));
          const folded = [...events];
          senders.forEach((by) => record(folded, stamp, refusal(by)));
          expect(folded).toHaveLength(events.length);
          expect(replay(folded)).toEqual(replay(events));
          const digest = (list: ThreadEvent[]) => modelInputDigest(renderModelInput(deploybot, list));
          expect(digest(folded)).toBe(digest(events));
        },
      ),
      { numRuns: 50 },
    );
  });
});
