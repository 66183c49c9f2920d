/**
 * SIMULATED reporter "model" for the offline demo (a fixed policy, not an LLM):
 *
 *   no list_runs result -> list_runs {hours: 24}
 *   otherwise           -> publish_report {summary with counts by executionStatus, highlights}
 *
 * Highlights name up to 5 runs that failed or timed out, or wait for a person (agent status
 * awaiting_approval, awaiting_reply, needs_human or paused).
 */
import { callTool, type ScriptedReply } from '../server';
import { field, objectsStartingWith, stringField, toolResults } from './rendered-context';

export const REPORT_HOURS = 24;
export const MAX_HIGHLIGHTS = 5;
const FAILED = new Set(['FAILED', 'TIMED_OUT']);
const WAITING = new Set(['awaiting_approval', 'awaiting_reply', 'needs_human', 'paused']);

interface ListedRun {
  workflowId: string;
  executionStatus: string;
  status?: string;
}

/** The runs of a list_runs result (`{...,"runs":[{"workflowId":...}]}`) the context shows whole enough to count. */
export function listedRuns(result: string): ListedRun[] {
  return objectsStartingWith(result, 'workflowId').flatMap((run) => {
    const workflowId = stringField(run, 'workflowId');
    const executionStatus = stringField(run, 'executionStatus');
    if (workflowId === undefined || executionStatus === undefined) return []; // cut off by the thread
    return [{ workflowId, executionStatus, status: stringField(run, 'status') }];
  });
}

/** "2 COMPLETED, 1 FAILED", in order of first appearance. */
function countsByStatus(runs: readonly ListedRun[]): string {
  const counts = new Map<string, number>();
  for (const run of runs) counts.set(run.executionStatus, (counts.get(run.executionStatus) ?? 0) + 1);
  return [...counts].map(([status, count]) => `${count} ${status}`).join(', ');
}

function highlight(run: ListedRun): string {
  return `${run.workflowId}: ${run.executionStatus}${run.status === undefined ? '' : ` (${run.status})`}`;
}

export function runReport(result: string): { summary: string; highlights: string[] } {
  const runs = listedRuns(result);
  const count = typeof field(result, 'count') === 'number' ? (field(result, 'count') as number) : runs.length;
  const hours = typeof field(result, 'hours') === 'number' ? (field(result, 'hours') as number) : REPORT_HOURS;
  let summary = `${count} runs in the last ${hours} h${runs.length > 0 ? `: ${countsByStatus(runs)}` : ''}.`;
  if (runs.length < count) summary += ` The counts cover the ${runs.length} runs the context shows.`;
  if (field(result, 'truncated') === true) summary += ' Only the newest 100 runs were listed.';
  const attention = runs.filter(
    (run) => FAILED.has(run.executionStatus) || (run.status !== undefined && WAITING.has(run.status)),
  );
  return { summary, highlights: attention.slice(0, MAX_HIGHLIGHTS).map(highlight) };
}

/** Picks the reporter's next step from the event-log text (see the module comment). */
export function nextReporterStep(context: string): ScriptedReply {
  const listed = toolResults(context, 'list_runs').at(-1);
  if (listed === undefined) return callTool('list_runs', { hours: REPORT_HOURS });
  return callTool('publish_report', runReport(listed));
}
