import fc from 'fast-check';
import { findAgent } from '../../agents';
import { MirroredThread } from '../../core/mirrored-thread';
import { renderModelInput } from '../../core/model-input';
import type { ThreadEvent } from '../../core/thread';
import { anyThread, eventFactory, toolCall, toolResult } from './support/events';

const deploybot = findAgent('deploybot')!;

test('a copy fed any thread in pieces renders what the workflow renders for it', () => {
  fc.assert(
    fc.property(anyThread(), fc.array(fc.nat(), { maxLength: 4 }), (events, cuts) => {
      const mirror = new MirroredThread();
      const ends = [...new Set(cuts.map((cut) => cut % (events.length + 1))), events.length].sort((a, b) => a - b);
      let from = 0;
      for (const end of ends) {
        expect(mirror.follow(from, events.slice(from, end))).toBe(true);
        from = end;
        expect(mirror.modelInput(deploybot)).toEqual(renderModelInput(deploybot, events.slice(0, end)));
      }
    }),
    { numRuns: 60 },
  );
});

test('a read-only step appended to the copy renders as the same step appended by the workflow', () => {
  const stamp = eventFactory();
  const events: ThreadEvent[] = [stamp({ type: 'user_message', text: 'list the releases' })];
  const mirror = new MirroredThread();
  mirror.follow(0, events);
  const step = { callId: 'call-1', tool: 'list_releases', args: { environment: 'staging' }, inputDigest: 'd' };
  mirror.appendStep(deploybot, { ...step, output: '[]', truncated: false });
  events.push(stamp({ ...toolCall('call-1', 'list_releases', step.args), inputDigest: 'd' } as never));
  events.push(stamp(toolResult('call-1', 'list_releases', '[]')));
  expect(mirror.modelInput(deploybot)).toEqual(renderModelInput(deploybot, events));
  // The workflow then sends its own copies of those two events: the copy skips what it holds.
  expect(mirror.follow(1, events.slice(1))).toBe(true);
  expect(mirror.length).toBe(3);
});

test('a copy refuses events that leave a gap or that it is ahead of', () => {
  const stamp = eventFactory();
  const events = [stamp({ type: 'user_message', text: 'a' }), stamp({ type: 'user_message', text: 'b' })];
  const mirror = new MirroredThread();
  expect(mirror.follow(1, events.slice(1))).toBe(false); // it holds nothing: index 0 is missing
  expect(mirror.follow(0, events)).toBe(true);
  expect(mirror.follow(0, events.slice(0, 1))).toBe(false); // it holds more than the workflow sent
});
