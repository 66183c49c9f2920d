/** Keeps the end of a stream of text in bounded memory, counting what scrolled away. */
export class OutputTail {
  private tail = '';
  private totalChars = 0;
  private newlines = 0;
  private endsWithNewline = true;

  constructor(private readonly keepChars = 64_000) {}

  append(chunk: string): void {
    if (chunk === '') return;
    this.totalChars += chunk.length;
    for (const char of chunk) if (char === '\n') this.newlines++;
    this.endsWithNewline = chunk.endsWith('\n');
    this.tail = (this.tail + chunk).slice(-this.keepChars);
  }

  /** The last `maxLines` lines within `maxChars`, headed by a note of how much was cut. */
  compact(maxLines = 40, maxChars = 4000): string {
    const totalLines = this.newlines + (this.endsWithNewline ? 0 : 1);
    let kept = this.tail.replace(/\n$/, '').split('\n').slice(-maxLines).join('\n');
    if (kept.length > maxChars) {
      kept = kept.slice(-maxChars);
      // Start on a whole line when one fits, so the first line shown is not a fragment.
      const lineStart = kept.indexOf('\n');
      if (lineStart !== -1 && lineStart < kept.length - 1) kept = kept.slice(lineStart + 1);
    }
    const keptLines = kept === '' ? 0 : kept.split('\n').length;
    const cutLines = totalLines - keptLines;
    const cutChars = this.totalChars - kept.length - (this.endsWithNewline && this.totalChars > 0 ? 1 : 0);
    if (cutChars <= 0) return kept;
    const note =
      cutLines > 0
        ? `${cutLines} earlier lines (${cutChars} chars) cut; showing the last ${keptLines}`
        : `${cutChars} earlier chars cut`;
    return `[... ${note} ...]\n${kept}`;
  }
}
