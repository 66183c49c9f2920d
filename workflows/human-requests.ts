/**
 * Waiting for people (F7), in one place: approval and input requests, their notice, the durable wait
 * with its timeout and escalation contact, and picking a wait up again after continue-as-new.
 */
import { condition, uuid4 } from '@temporalio/workflow';
import { argsDigest } from '../core/digest';
import { requestTimeoutFor } from '../core/policy';
import type { PendingRequest } from '../core/reducer';
import type { ContinuedWait } from '../core/run';
import { quorumOf } from '../core/quorum';
import { isApprovalLike, pendingAsk, quorumNote } from '../core/waiting';
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

/** What a notice, a timer and a timeout reason say about the pending request. */
function requestSummary(pending: PendingRequest): string {
  if (pending.kind !== 'escalation') return pendingAsk(pending);
  return `The agent is stuck (${pending.question}). Reply with guidance, or resume.`;
}

/** The notice for the pending request as it stands now: under a quorum, it says who approved and who is still needed. */
function noticeFor(run: Run, summary: string, escalatedTo?: string): NotifyHumanInput {
  const pending = run.thread.state.pending!;
  const { requestId, kind } = pending;
  const approvals = quorumNote(pending) ?? undefined;
  return {
    workflowId: run.workflowId,
    agent: run.agent.name,
    requestId,
    kind,
    summary,
    ...(approvals ? { approvals } : {}),
    ...(isApprovalLike(pending) ? { argsDigest: pending.argsDigest } : {}),
    ...(escalatedTo ? { escalatedTo } : {}),
  };
}

/** Why the run gave up waiting; under a quorum it names who approved and who was still needed. */
function unansweredReason(run: Run, summary: string, waited: string): string {
  const { requestId, ...pending } = run.thread.state.pending!;
  const quorum = quorumNote(pending);
  const { escalateTo } = run.policy;
  if (quorum)
    return `request ${requestId} (${summary}) was not approved by enough people within ${waited}, escalation to ${escalateTo} included: ${quorum}`;
  return `nobody answered request ${requestId} (${summary}) within ${waited}, escalation to ${escalateTo} included`;
}

/** The tool whose request timeout applies: the approval's tool, or the tool that asked the question. */
function requestTool(run: Run, pending: PendingRequest): string | undefined {
  if (pending.tool) return pending.tool;
  const asked = run.thread.events.find(
    (event): event is EventOf<'tool_call'> => event.type === 'tool_call' && event.callId === pending.callId,
  );
  return asked?.tool;
}

/**
 * Waits until answered (true) or past the wait's deadline (false). When the run should continue as
 * new (a flood of messages grew its history), it does so from here, carrying where the wait stands.
 */
async function waitPhase(run: Run, answered: () => boolean, wait: ContinuedWait, summary: string): Promise<boolean> {
  for (;;) {
    const done = () => answered() || run.handOver.ready();
    if (wait.deadline === null) await condition(done);
    else if (!(await condition(done, Math.max(1, wait.deadline - Date.now()), { summary: summary.slice(0, 200) })))
      return answered();
    if (answered()) return true;
    await run.handOver.continueAsNew(wait);
  }
}

/**
 * Notifies, then waits for the answer on a durable timer: past the request's timeout the escalation
 * contact is told and the run waits once more, then it ends `timed_out`. A run continued while
 * waiting (`resumed`) picks the wait up where it stood, without notifying again.
 */
export async function waitForHuman(run: Run, resumed?: ContinuedWait): Promise<void> {
  const { thread, policy } = run;
  const pending = thread.state.pending!;
  const { requestId, kind } = pending;
  const summary = requestSummary(pending);
  const answered = () => thread.state.pending?.requestId !== requestId;
  if (!resumed) await notify(run, noticeFor(run, summary));
  if (!run.startedWithHumanPolicy)
    return void (await waitPhase(run, answered, { requestId, phase: 'asked', deadline: null }, summary));
  const timeout = requestTimeoutFor(policy, requestTool(run, pending));
  let wait: ContinuedWait = resumed ?? { requestId, phase: 'asked', deadline: Date.now() + timeout };
  if (wait.phase === 'asked') {
    if (await waitPhase(run, answered, wait, `wait for ${kind}: ${summary}`)) return;
    thread.append({
      type: 'request_escalated',
      requestId,
      to: policy.escalateTo,
      reason: `no answer within ${formatDuration(timeout)}`,
    });
    await notify(run, noticeFor(run, summary, policy.escalateTo));
    wait = { requestId, phase: 'escalated', deadline: Date.now() + policy.escalationTimeoutMs };
  }
  if (await waitPhase(run, answered, wait, `escalated to ${policy.escalateTo}: ${summary}`)) return;
  const waited = formatDuration(timeout + policy.escalationTimeoutMs);
  thread.append({ type: 'run_ended', status: 'timed_out', reason: unansweredReason(run, summary, waited) });
}

/** Asks for approval of exactly this call with `args` (pinned, e.g. a commit SHA); true only when this very request was granted. */
export async function requestApproval(run: Run, call: EventOf<'tool_call'>, args = call.args): Promise<boolean> {
  const quorum = quorumOf(run.policy.approvers[call.tool]);
  run.thread.append({
    type: 'approval_requested',
    requestId: uuid4(),
    callId: call.callId,
    tool: call.tool,
    args,
    argsDigest: argsDigest(args),
    ...(quorum ? { quorum } : {}),
  });
  return awaitApproval(run);
}

/** Waits for the pending approval (`resumed`: in a run continued while waiting); true only when it was granted. */
export async function awaitApproval(run: Run, resumed?: ContinuedWait): Promise<boolean> {
  const requestId = resumed?.requestId ?? run.thread.state.pending!.requestId;
  if (run.thread.state.pending?.requestId === requestId) await waitForHuman(run, resumed);
  return run.thread.events.some((event) => event.type === 'approval_granted' && event.requestId === requestId);
}

export async function askHuman(run: Run, call: EventOf<'tool_call'>): Promise<void> {
  const { question, options } = call.args as { question: string; options?: string[] | null };
  run.thread.append({
    type: 'human_input_requested',
    requestId: uuid4(),
    callId: call.callId,
    question,
    options: options ?? undefined,
  });
  await waitForHuman(run);
}
