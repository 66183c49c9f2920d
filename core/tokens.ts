import { Tiktoken } from 'js-tiktoken/lite';
import o200kBase from 'js-tiktoken/ranks/o200k_base';

/**
 * The real o200k_base token count (GPT-4o and later), in pure JS. Several MB of ranks: for tests and
 * benchmarks only. Never import it from workflow code; the workflow counts with `estimateTokens`.
 */
let encoder: Tiktoken | undefined;

export function countTokensO200k(text: string): number {
  encoder ??= new Tiktoken(o200kBase);
  return encoder.encode(text).length;
}
