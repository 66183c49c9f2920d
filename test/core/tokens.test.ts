import fc from 'fast-check';
import { Tiktoken } from 'js-tiktoken/lite';
import o200kBase from 'js-tiktoken/ranks/o200k_base';
import { findAgent } from '../../agents';
import { loadThread, THREAD_NAMES } from '../../bench/recorded-threads';
import { compactEvents } from '../../core/compact-errors';
import { contextText, elidedNoteLine, itemLines, systemState } from '../../core/context';
import { renderModelInput } from '../../core/model-input';
import { replay } from '../../core/reducer';
import { countTokensO200k } from '../../core/tokens';
import { eventFactory } from './support/events';

const encoder = new Tiktoken(o200kBase);

test('the memoised piece-by-piece count equals the tokenizer on every model input of the recorded threads', () => {
  const deploybot = findAgent('deploybot')!;
  for (const name of THREAD_NAMES) {
    const { events } = loadThread(name);
    for (let end = 1; end <= events.length; end++) {
      const { instructions, context } = renderModelInput(deploybot, events.slice(0, end));
      for (const text of [instructions, context]) expect(countTokensO200k(text)).toBe(encoder.encode(text).length);
    }
  }
});

test.each(['héllo wörld  \n\n  x', '日本語のテキスト and emoji 🎉🎉 ', "it's   they're\r\n\t", '12345678 3.14159', ''])(
  'counts %j as the tokenizer does',
  (text) => {
    expect(countTokensO200k(text)).toBe(encoder.encode(text).length);
    expect(countTokensO200k(text)).toBe(encoder.encode(text).length); // again, from the memo
  },
);

/** Any text: every code point, line breaks, tabs and spaces included. */
const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 120 }),
  fc
    .array(fc.constantFrom('\n', '  ', '\t', '<', '>', '/', "'", '"', 'é', '🎉', '1', 'a', ':'), { maxLength: 40 })
    .map((parts) => parts.join('')),
);

test('counts a context as the sum of its frame and its lines (whole, cut or notes), whatever the events hold: the context planner relies on it', () => {
  const stamp = eventFactory();
  fc.assert(
    fc.property(fc.array(fc.tuple(anyText, anyText), { maxLength: 12 }), (texts) => {
      const events = [
        stamp({ type: 'run_started', agent: 'deploybot', maxSteps: 30 }),
        ...texts.flatMap(([text, output], index) => [
          stamp({ type: 'user_message', text, by: output.slice(0, 10) }),
          stamp({ type: 'tool_result', callId: `c${index}`, tool: 'run_tests', output, truncated: index % 2 === 0 }),
        ]),
      ];
      const lines = compactEvents(events).map((item, index) => {
        const { full, elided } = itemLines(item);
        return index % 3 === 1 ? elidedNoteLine(index) : index % 3 === 2 && elided ? elided : full;
      });
      const header = systemState(replay(events));
      const whole = contextText(header, lines.join(''));
      const sum = lines.reduce(
        (total, line) => total + countTokensO200k(line),
        countTokensO200k(contextText(header, '')),
      );
      expect(sum).toBe(encoder.encode(whole).length);
    }),
    { numRuns: 300 },
  );
});
