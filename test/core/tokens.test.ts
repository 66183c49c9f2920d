import { Tiktoken } from 'js-tiktoken/lite';
import o200kBase from 'js-tiktoken/ranks/o200k_base';
import { findAgent } from '../../agents';
import { loadThread, THREAD_NAMES } from '../../bench/recorded-threads';
import { renderModelInput } from '../../core/model-input';
import { countTokensO200k } from '../../core/tokens';

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
