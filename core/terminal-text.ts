/**
 * C0 controls except \t and \n, DEL, and C1 controls (U+0080..U+009F): what a terminal may read as
 * a command (ESC starts ANSI sequences, U+009B is a one-character CSI, \r rewrites the line).
 */
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/**
 * Text safe to print on a terminal: control characters removed, \n and \t kept. Thread text comes
 * from models and senders, so everything `tfa` prints passes through here.
 */
export function printable(text: string): string {
  return text.replace(CONTROL_CHARACTERS, '');
}
