import { Tiktoken } from 'js-tiktoken/lite';
import o200kBase from 'js-tiktoken/ranks/o200k_base';

/**
 * The real o200k_base token count (GPT-4o and later), in pure JS. Its ranks take several MB and
 * about a second to load, once per process: the model activity counts, never workflow code (the
 * sandbox would load them again for every run).
 */
let encoder: Tiktoken | undefined;

export function countTokensO200k(text: string): number {
  encoder ??= new Tiktoken(o200kBase);
  return encoder.encode(text).length;
}
