/** An error and its causes on one line: Temporal wraps the workflow's refusal as the cause. */
export function describeError(error: unknown): string {
  const messages: string[] = [];
  for (
    let current: unknown = error;
    current !== undefined && messages.length < 5;
    current = (current as { cause?: unknown }).cause
  ) {
    const message = current instanceof Error ? current.message : String(current);
    if (message && !messages.includes(message)) messages.push(message);
    if (!(current instanceof Error)) break;
  }
  return messages.join(': ');
}
