import { ApproveInput, parseMessage } from '../../core/decisions';
import { undecodablePayload, undecodableReason } from '../../core/undecodable';

describe('the undecodable payload marker', () => {
  it('is refused by every message parser, naming the encoding', () => {
    const parsed = parseMessage(ApproveInput, 'approve', undecodablePayload('json/protobuf'));
    expect(parsed).toEqual({
      ok: false,
      reason: 'undecodable payload: json/protobuf',
      event: { type: 'decision_refused', message: 'approve', reason: 'undecodable payload: json/protobuf' },
    });
  });

  it('repeats at most 64 printable characters of a sender-chosen encoding name', () => {
    const reason = undecodableReason(undecodablePayload(`\u001b[2J${'e'.repeat(10_000)}`))!;
    expect(reason.length).toBeLessThan(100);
    expect(reason).not.toContain('\u001b');
  });

  it('is nothing but the marker: ordinary bodies have no undecodable reason', () => {
    expect(undecodableReason({ by: 'alice' })).toBeNull();
    expect(undecodableReason(null)).toBeNull();
    expect(undecodableReason('json/protobuf')).toBeNull();
  });
});
