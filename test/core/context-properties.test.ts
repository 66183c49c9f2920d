import fc from 'fast-check';
import { countTokensO200k } from '../../core/tokens';
import { MIN_CONTEXT_TOKEN_BUDGET } from '../../core/constants';
import { renderContext, renderEvent } from '../../core/context';
import { replay } from '../../core/reducer';
import type { EventOf } from '../../core/thread';
import { anyThread } from './support/events';

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}

const anyBudget = fc.option(fc.integer({ min: 0, max: 12_000 }), { nil: undefined });

/** The escaped first characters of a message's text, as its element shows them even when cut to its head. */
function textHead(event: EventOf<'user_message'>): string {
  const element = renderEvent({ ...event, text: event.text.slice(0, 20) })!;
  return element.endsWith('/>') ? '' : element.slice(element.indexOf('>') + 1, element.lastIndexOf('</'));
}

describe('renderContext properties (F12)', () => {
  it('is a pure function of the events: same events, same text, and the input is never mutated', () => {
    fc.assert(
      fc.property(anyThread(), anyBudget, (events, tokenBudget) => {
        const copy = structuredClone(events);
        const frozen = deepFreeze(structuredClone(events));
        const first = renderContext(replay(events), events, { tokenBudget, countTokens: countTokensO200k });
        expect(renderContext(replay(copy), copy, { tokenBudget, countTokens: countTokensO200k })).toBe(first);
        expect(renderContext(replay(frozen), frozen, { tokenBudget, countTokens: countTokensO200k })).toBe(first);
        expect(events).toEqual(copy);
      }),
    );
  });

  it(`never exceeds a budget of at least MIN_CONTEXT_TOKEN_BUDGET (${MIN_CONTEXT_TOKEN_BUDGET}), in o200k_base tokens`, () => {
    fc.assert(
      fc.property(anyThread(80), fc.integer({ min: MIN_CONTEXT_TOKEN_BUDGET, max: 12_000 }), (events, tokenBudget) => {
        expect(
          countTokensO200k(renderContext(replay(events), events, { tokenBudget, countTokens: countTokensO200k })),
        ).toBeLessThanOrEqual(tokenBudget);
      }),
      { numRuns: 200 },
    );
  });

  it('meets the floor even when every kept element is as long as it can be', () => {
    fc.assert(
      fc.property(anyThread(120), (events) => {
        const floor = renderContext(replay(events), events, { tokenBudget: 0, countTokens: countTokensO200k });
        expect(countTokensO200k(floor)).toBeLessThanOrEqual(MIN_CONTEXT_TOKEN_BUDGET);
      }),
      { numRuns: 200 },
    );
  });

  it("always shows the user's message and the last event the model can see, whatever the budget", () => {
    fc.assert(
      fc.property(anyThread(), anyBudget, (events, tokenBudget) => {
        const lines = renderContext(replay(events), events, { tokenBudget, countTokens: countTokensO200k }).split('\n');
        const task = events.find((event): event is EventOf<'user_message'> => event.type === 'user_message')!;
        const last = events.findLast((event) => renderEvent(event) !== null)!;
        expect(lines.some((line) => line.startsWith('  <user_message') && line.includes(textHead(task)))).toBe(true);
        expect(lines.at(-2)!.startsWith(`  <${last.type}`)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('escapes every body, so the log always has exactly one element a line between its wrappers', () => {
    fc.assert(
      fc.property(anyThread(), anyBudget, (events, tokenBudget) => {
        const lines = renderContext(replay(events), events, { tokenBudget, countTokens: countTokensO200k }).split('\n');
        expect(lines[1]).toBe('<event_history>');
        expect(lines.at(-1)).toBe('</event_history>');
        for (const line of lines.slice(2, -1)) expect(line).toMatch(/^ {2}<([a-z_]+)\b[^<>]*(\/>|>[^<>]*<\/\1>)$/);
      }),
    );
  });
});
