import { shellQuote } from '../core/shell-quote';
import { printable } from '../core/terminal-text';
import { answerCommands } from '../core/waiting';
import type { WatchItem } from './follow-run';
import { formatEventLine } from './format-status';

/** `tfa watch` exit codes: 0 the run succeeded, 2 it ended otherwise (1 stays tfa's own error). */
export const WATCH_EXIT_CODES = { succeeded: 0, endedOtherwise: 2 } as const;

/** How to answer a request as it is asked: the first answer line (`tfa approve` or `tfa reply`) for that request. */
function answerHint(item: Extract<WatchItem, { type: 'event' }>): string | undefined {
  const { event, workflowId } = item;
  if (event.type === 'approval_requested')
    return answerCommands(workflowId, { kind: 'approval', requestId: event.requestId })[0];
  if (event.type === 'budget_exhausted')
    return answerCommands(workflowId, { kind: 'budget', requestId: event.requestId })[0];
  if (event.type === 'human_input_requested')
    return answerCommands(workflowId, { kind: 'input', requestId: event.requestId })[0];
  return undefined;
}

/** The lines `tfa watch` prints for one item (none for a keep-alive); a child's lines start with `[agent]`. */
export function watchLines(item: WatchItem): string[] {
  if (item.type === 'idle') return [];
  const label = 'child' in item && item.child ? `[${item.child.agent}] ` : '';
  switch (item.type) {
    case 'event': {
      const line = formatEventLine(item.workflowId, item.event);
      const hint = answerHint(item);
      const lines = line ? [`${label}${line}`] : [];
      return (hint ? [...lines, `${label}  answer: ${hint}`] : lines).map(printable);
    }
    case 'child_started':
      return [printable(`${label}started ${shellQuote(item.child.workflowId)}`)];
    case 'end': {
      const what = item.child ? `${label}ended` : `run ${shellQuote(item.workflowId)} ended`;
      return [printable(`${what}: ${item.outcome}${item.reason ? ` (${item.reason})` : ''}`)];
    }
  }
}
