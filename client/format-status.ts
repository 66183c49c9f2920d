import { renderEvent } from '../core/context';
import type { DeployState } from '../agents/pipeline';
import { shellQuote } from '../core/shell-quote';
import { printable } from '../core/terminal-text';
import { answerLines, isApprovalLike, pauseRequestNote, pendingAsk, quorumNote } from '../core/waiting';
import { sumUsage } from '../core/usage';
import { spentSoFar, type BudgetState } from '../core/spend-budget';
import type { AgentState } from '../core/reducer';
import { formatUsage } from './format-usage';
import type { ThreadEvent } from '../core/thread';
import type { ThreadSnapshot } from '../workflows/messages';

/**
 * `tfa status`: the state, exactly what is waiting for whom, then the thread one event a line (control characters stripped).
 * The `temporal` answer lines name `namespace` unless it is `default`.
 */
export function formatStatus(workflowId: string, { state, events }: ThreadSnapshot, namespace?: string): string {
  const lines = [`${workflowId}  agent=${state.agent}  status=${state.status}  step=${state.step}/${state.maxSteps}`];
  const pending = state.pending;
  if (pending && isApprovalLike(pending)) {
    lines.push(`waiting for approval of ${pendingAsk(pending)}`);
    lines.push(`  request ${pending.requestId}  args ${pending.argsDigest}  since ${pending.since}`);
    const quorum = quorumNote(pending);
    if (quorum) lines.push(`  ${quorum}`);
  } else if (pending) {
    lines.push(`waiting for a reply (request ${pending.requestId}): ${pendingAsk(pending)}`);
  }
  if (pending) lines.push(...answerLines(workflowId, pending, '', namespace));
  if (state.pauseRequested) lines.push(`${pauseRequestNote(state.pauseRequested)}; resume withdraws it`);
  if (state.result) lines.push(`result: ${JSON.stringify(state.result)}`);
  if (state.reason) lines.push(`reason: ${state.reason}`);
  lines.push(...formatUsage(state.usage));
  if (state.budget) lines.push(budgetLine(state.budget, state.usage));
  lines.push('thread:');
  for (const event of events) {
    const line = formatEventLine(workflowId, event);
    if (line) lines.push(`  ${line}`);
  }
  return printable(lines.join('\n'));
}

/** `budget: window 2, 1500 of 2000 tokens, $0.01 of $0.05 spent`: the allowance is the window times the limit. */
function budgetLine(budget: BudgetState, usage: AgentState['usage']): string {
  const spent = spentSoFar(budget, usage);
  const parts = [
    budget.maxTokens !== undefined ? `${spent.tokens} of ${budget.maxTokens * budget.window} tokens` : null,
    budget.maxCostUsd !== undefined ? `$${spent.costUsd} of $${budget.maxCostUsd * budget.window}` : null,
  ].filter((part) => part !== null);
  return `budget: window ${budget.window}, ${parts.join(', ')} spent`;
}

/** One thread event as `tfa status` and `tfa watch` print it: its time, the event and how a decision was verified; null: not shown. */
export function formatEventLine(workflowId: string, event: ThreadEvent): string | null {
  const rendered =
    event.type === 'decision_refused'
      ? `<decision_refused message="${event.message}" by="${event.by ?? ''}"${event.count ? ` count="${event.count}"` : ''}>${event.reason}</decision_refused>`
      : event.type === 'pause_requested' || event.type === 'pause_withdrawn'
        ? `<${event.type} by="${event.by ?? ''}"/>`
        : event.type === 'forked'
          ? `<forked from="${event.workflowId}" run="${event.runId}" event="${event.eventId}" steps="${event.steps}"${event.by ? ` by="${event.by}"` : ''}/>`
          : event.type === 'earlier_events'
            ? `<earlier_events count="${event.count}"/> left in the run before: tfa status ${shellQuote(workflowId)} --run ${shellQuote(event.runId)}`
            : renderEvent(event);
  const proof =
    'verified' in event && event.verified
      ? `  [verified: ${event.verified}${event.attestedBy ? ` by ${event.attestedBy}` : ''}]`
      : '';
  return rendered && `${event.at}  ${rendered}${proof}`;
}

/** `tfa status` of a deploy pipeline: the DAG's stage, each child, and the running child's thread (control characters stripped). */
export function formatDeployStatus(
  workflowId: string,
  state: DeployState,
  runningChild?: { workflowId: string; view: ThreadSnapshot },
  namespace?: string,
): string {
  const lines = [
    `${workflowId}  deployWorkflow  ref=${state.ref}  stage=${state.stage}  outcome=${state.outcome ?? '-'}`,
  ];
  if (state.stagingSha)
    lines.push(`staging: ${state.stagingSha}${state.productionSha ? `   production: ${state.productionSha}` : ''}`);
  if (state.tests) lines.push(`tests: ${state.tests.passed ? 'passed' : 'FAILED'}: ${state.tests.summary}`);
  lines.push('children:');
  for (const child of state.children) {
    lines.push(`  ${child.stage.padEnd(9)} ${child.agent.padEnd(9)} ${child.status.padEnd(17)} ${child.workflowId}`);
  }
  if (state.summary) lines.push(`summary: ${state.summary}`);
  lines.push(
    ...formatUsage(
      sumUsage([state.usage, runningChild?.view.state.usage]),
      runningChild ? 'tokens (finished children and the running one)' : 'tokens (all children)',
    ),
  );
  if (runningChild) {
    const { workflowId: childId, view } = runningChild;
    lines.push('', `running child ${childId}:`, formatStatus(childId, view, namespace));
  }
  return printable(lines.join('\n'));
}
