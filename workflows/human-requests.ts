import { condition, uuid4 } from '@temporalio/workflow';
import { argsDigest } from '../core/digest';
import { requestTimeoutFor } from '../core/policy';
import type { EventOf } from '../core/thread';
import type { NotifyHumanInput } from '../activities';
import { notifyHuman } from './activities';
import { errorEventFrom } from './failures';
import type { Run } from './run';

function formatDuration(ms: number): string {
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000} d`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  return ms % 60_000 === 0 ? `${ms / 60_000} min` : `${ms / 1000} s`;
}

/** A notice that cannot be delivered after retries is recorded; the request itself stays pending. */
async function notify(run: Run, input: NotifyHumanInput): Promise<void> {
  try {
    await notifyHuman(input);
  } catch (error) {
    run.thread.append(errorEventFrom(error, 'notify'));
  }
}

/**
 * Notifies, then waits for the answer on a durable timer: past the request's timeout the escalation
 * contact is told and the run waits once more, then it ends `timed_out`.
 */
export async function waitForHuman(run: Run, kind: NotifyHumanInput['kind'], summary: string, tool?: string): Promise<void> {
  const { thread, policy } = run;
  const requestId = thread.state.pending!.requestId;
  const answered = () => thread.state.pending?.requestId !== requestId;
  const notice: NotifyHumanInput = { workflowId: run.workflowId, agent: run.agent.name, requestId, kind, summary };
  await notify(run, notice);
  if (!run.timeouts) return void (await condition(answered));
  const timeout = requestTimeoutFor(policy, tool);
  if (await condition(answered, timeout, { summary: `wait for ${kind}: ${summary}`.slice(0, 200) })) return;
  thread.append({ type: 'request_escalated', requestId, to: policy.escalateTo, reason: `no answer within ${formatDuration(timeout)}` });
  await notify(run, { ...notice, escalatedTo: policy.escalateTo });
  if (await condition(answered, policy.escalationTimeoutMs, { summary: `escalated to ${policy.escalateTo}: ${summary}`.slice(0, 200) })) return;
  const waited = formatDuration(timeout + policy.escalationTimeoutMs);
  thread.append({ type: 'run_ended', status: 'timed_out', reason: `nobody answered request ${requestId} (${summary}) within ${waited}, escalation to ${policy.escalateTo} included` });
}

/** Asks for approval of exactly this call with `args` (pinned, e.g. a commit SHA); true only when this very request was granted. */
export async function requestApproval(run: Run, call: EventOf<'tool_call'>, args = call.args): Promise<boolean> {
  const requestId = uuid4();
  run.thread.append({ type: 'approval_requested', requestId, callId: call.callId, tool: call.tool, args, argsDigest: argsDigest(args) });
  await waitForHuman(run, 'approval', `${call.tool} ${JSON.stringify(args)}`, call.tool);
  return run.thread.events.some((event) => event.type === 'approval_granted' && event.requestId === requestId);
}

export async function askHuman(run: Run, call: EventOf<'tool_call'>): Promise<void> {
  const { question, options } = call.args as { question: string; options?: string[] | null };
  run.thread.append({ type: 'human_input_requested', requestId: uuid4(), callId: call.callId, question, options: options ?? undefined });
  await waitForHuman(run, 'input', question, call.tool);
}

/** After too many consecutive errors the run stops and asks a human instead of spinning (F9). */
export async function escalate(run: Run): Promise<void> {
  const lastError = [...run.thread.events].reverse().find((event) => event.type === 'error');
  const reason = `${run.thread.state.consecutiveErrors} consecutive errors; last: ${lastError?.type === 'error' ? lastError.message : 'unknown'}`;
  run.thread.append({ type: 'escalated', requestId: uuid4(), reason });
  await waitForHuman(run, 'escalation', `The agent is stuck (${reason}). Reply with guidance, or resume.`);
}
