import { DEFAULT_NAMESPACE } from './constants';

/** Characters a POSIX shell never treats specially: a word made only of them is printed bare. */
const BARE_WORD = /^[A-Za-z0-9._:/@=-]+$/;

/**
 * One word for a POSIX shell: bare when it is made only of safe characters (so ordinary ids print
 * as they always did), else single-quoted with each `'` written `'\''`. Whatever the word holds
 * (quotes, `$()`, spaces, `;`), a copied command line passes it as one literal argument.
 */
export function shellQuote(word: string): string {
  if (BARE_WORD.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The Temporal CLI's ` --namespace <ns>` for a printed command line, or nothing for `default` (the CLI's own default). */
export function namespaceFlag(namespace: string): string {
  return namespace === DEFAULT_NAMESPACE ? '' : ` --namespace ${shellQuote(namespace)}`;
}
