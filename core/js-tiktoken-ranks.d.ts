// js-tiktoken's rank files are reached through its package "exports", which this project's
// moduleResolution ("node") does not read; this declares the one core/tokens.ts uses.
declare module 'js-tiktoken/ranks/o200k_base' {
  const ranks: { pat_str: string; special_tokens: Record<string, number>; bpe_ranks: string };
  export default ranks;
}
