import { ApplicationFailure, patched, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { findAgent } from '../agents';
import { findTool, type AgentDefinition } from '../core/agent';
import { describeIssues } from '../core/zod-issues';
import { RunPolicy } from '../core/policy';
import type { AgentState } from '../core/reducer';
import { AgentRunResult, AgentWorkflowInput, type ContinuedWait } from '../core/run';
import { runBudgetFor } from '../core/spend-budget';
import { FINAL_STATUSES, type EventOf } from '../core/thread';
import type { ToolOutputThenDecision } from '../activities';
import { executeTool, loadRunPolicy, TOOL_ACTIVITY_OPTIONS } from './activities';
import {
  assertOwnContinuation,
  CONTINUE_WHILE_WAITING_PATCH,
  DEFAULT_CONTINUE_AS_NEW_AFTER_STEPS,
  handOverFor,
  shouldContinueAsNew,
} from './continue-as-new';
import { awaitBudget, budgetRequestOf, withinBudget } from './budget';
import { loadContext } from './context-loaders';
import { forkedPolicy, forkInputConflicts, openCall } from '../core/fork';
import { startFork } from './fork';
import { errorEventFrom } from './failures';
import { registerHandlers } from './handlers';
import { escalate } from './escalation';
import { askHuman, awaitApproval, requestApproval, waitForHuman } from './human-requests';
import { createPauseControl, PAUSE_REQUESTED_PATCH, stepBoundary } from './pausing';
import { pinnedArgs } from './pin-args';
import { chooseNext, decisionAfterTool, keepDecisionAfterTool, takeDecidedOutput, takeDecidedStep } from './model-call';
import type { Run } from './run';
import { RunThread } from './run-thread';
import { tfaAgentKey, tfaPendingRequestKey, tfaStatusKey } from './search-attributes';

/** Request timeouts, the run policy and search attributes arrived together; older runs replay without them. */
const HUMAN_POLICY_PATCH = 'human-policy-v1';

/** New runs fetch the agent's context loaders before the first model call; older runs replay without them. */
const PREFETCH_CONTEXT_PATCH = 'prefetch-context-v1';

/** A continued run restores its thread before its message handlers run; older runs replay without it. */
const RESTORE_BEFORE_MESSAGES_PATCH = 'restore-before-messages-v1';

/** Repeated refusals fold into one event with a count (core/refusals.ts); older runs replay without it. */
const FOLD_REFUSALS_PATCH = 'fold-refusals-v1';

function parseInput(raw: unknown): { input: AgentWorkflowInput; agent: AgentDefinition } {
  const parsed = AgentWorkflowInput.safeParse(raw);
  if (!parsed.success) {
    throw ApplicationFailure.nonRetryable(
      `Invalid agentWorkflow input: ${describeIssues(parsed.error)}`,
      'ConfigurationError',
    );
  }
  const agent = findAgent(parsed.data.agent);
  if (!agent) throw ApplicationFailure.nonRetryable(`Unknown agent "${parsed.data.agent}".`, 'ConfigurationError');
  if (!parsed.data.message && !parsed.data.fork)
    throw ApplicationFailure.nonRetryable('Invalid agentWorkflow input: "message" is required.', 'ConfigurationError');
  const kept = parsed.data.fork ? forkInputConflicts(parsed.data) : [];
  if (kept.length > 0)
    throw ApplicationFailure.nonRetryable(
      `Invalid agentWorkflow input: a fork keeps the source's task, step limit and budget; leave out ${kept.join(', ')}.`,
      'ConfigurationError',
    );
  return { input: parsed.data, agent };
}

/** Runs the call with `args`: the model's, or for an approval the ones the request showed. */
async function execute(run: Run, call: EventOf<'tool_call'>, args = call.args): Promise<void> {
  const summary = `${call.tool} ${JSON.stringify(args)}`;
  try {
    const decided = takeDecidedOutput(run, call.callId);
    const decideNext = decided ? undefined : decisionAfterTool(run);
    const { output, truncated, next }: ToolOutputThenDecision =
      decided ??
      (await executeTool.executeWithOptions({ ...TOOL_ACTIVITY_OPTIONS, summary }, [
        {
          agent: run.agent.name,
          tool: call.tool,
          callId: call.callId,
          args,
          operationId: `${run.workflowId}/${call.id}`,
          ...(decideNext && { decideNext }),
        },
      ]));
    run.thread.append({ type: 'tool_result', callId: call.callId, tool: call.tool, output, truncated });
    if (next) keepDecisionAfterTool(run, next);
  } catch (error) {
    run.thread.append(errorEventFrom(error, 'tool', call));
  }
}

/** Runs the chosen tool by its kind (F8). */
async function dispatch(run: Run, call: EventOf<'tool_call'>): Promise<void> {
  switch (call.kind) {
    case 'immediate':
      return execute(run, call);
    case 'approval': {
      const args = await pinnedArgs(run, call);
      if (args && (await requestApproval(run, call, args))) await execute(run, call, args);
      return;
    }
    case 'human':
      return askHuman(run, call);
    case 'terminal':
      return void run.thread.append({ type: 'done', callId: call.callId, tool: call.tool, payload: call.args });
  }
}

async function takeStep(run: Run): Promise<void> {
  const { thread, agent } = run;
  if (thread.state.consecutiveErrors >= agent.errorThreshold) return escalate(run);
  if (thread.state.step >= thread.state.maxSteps) {
    return void thread.append({
      type: 'run_ended',
      status: 'max_steps_reached',
      reason: `reached the limit of ${thread.state.maxSteps} steps without finishing`,
    });
  }
  if (!(await withinBudget(run))) return;
  const choice = await chooseNext(run);
  if (!choice) return;
  const kind = findTool(agent, choice.tool)!.kind;
  const call = thread.append({ type: 'tool_call', ...choice, kind }) as EventOf<'tool_call'>;
  await stepBoundary(run.thread, run.control);
  await dispatch(run, call);
}

/**
 * Steps a model activity already decided and ran (read-only tools of a chain), taken at once: each only
 * records its call and result, as takeStep would, with no command and no wait. Stops wherever takeStep
 * or the loop would do more: a requested pause, too many errors, the step limit, a budget to check,
 * continuing as new. Each await costs the workflow a traced promise; a chain of reads needs none.
 */
function takeDecidedSteps(run: Run, continuesNow: () => boolean): void {
  const { thread, agent, control } = run;
  while (
    thread.state.status === 'running' &&
    !control.requested &&
    !thread.state.budget &&
    thread.state.consecutiveErrors < agent.errorThreshold &&
    thread.state.step < thread.state.maxSteps &&
    !continuesNow()
  ) {
    const decided = takeDecidedStep(run);
    if (!decided) return;
    const { choice, output } = decided;
    thread.append({ type: 'tool_call', ...choice, kind: findTool(agent, choice.tool)!.kind });
    const { callId, tool } = choice;
    thread.append({ type: 'tool_result', callId, tool, output: output.output, truncated: output.truncated });
  }
}

/** Keeps TfaAgent/TfaStatus/TfaPendingRequest current, so `temporal workflow list --query` finds waiting runs. */
function searchAttributePublisher(agent: string): (state: AgentState) => void {
  let published = '';
  return (state) => {
    const pending = state.pending?.requestId ?? '';
    if (`${state.status}/${pending}` === published) return;
    published = `${state.status}/${pending}`;
    upsertSearchAttributes([
      { key: tfaAgentKey, value: agent },
      { key: tfaStatusKey, value: state.status },
      { key: tfaPendingRequestKey, value: pending || null },
    ]);
  };
}

/**
 * A run continued while waiting keeps waiting on the same request, without asking again. A decision
 * that reached it as it continued is already on the thread: a granted approval runs its call at once.
 */
async function resumeWait(run: Run, waiting: ContinuedWait): Promise<void> {
  const { events, state } = run.thread;
  const request = events.find(
    (event): event is EventOf<'approval_requested'> =>
      event.type === 'approval_requested' && event.requestId === waiting.requestId,
  );
  if (!request) {
    const budgetRequest = budgetRequestOf(events, waiting.requestId);
    if (budgetRequest) return awaitBudget(run, budgetRequest, waiting);
    if (state.pending?.requestId === waiting.requestId) await waitForHuman(run, waiting);
    return;
  }
  const call = events.find(
    (event): event is EventOf<'tool_call'> => event.type === 'tool_call' && event.callId === request.callId,
  );
  if (!call)
    throw ApplicationFailure.nonRetryable(
      `the carried thread lacks the tool call ${request.callId} of request ${request.requestId}`,
      'ContinuationError',
    );
  if (await awaitApproval(run, waiting)) await execute(run, call, request.args);
}

async function startRun(input: AgentWorkflowInput, agent: AgentDefinition): Promise<Run> {
  const workflowId = workflowInfo().workflowId;
  const startedWithHumanPolicy = patched(HUMAN_POLICY_PATCH);
  const thread = new RunThread(
    workflowId,
    startedWithHumanPolicy ? searchAttributePublisher(agent.name) : undefined,
    patched(FOLD_REFUSALS_PATCH),
  );
  const control = createPauseControl(input.continued?.pauseRequested ?? null, patched(PAUSE_REQUESTED_PATCH));
  const handOver = handOverFor(() => run, input, patched(CONTINUE_WHILE_WAITING_PATCH));
  const run: Run = {
    thread,
    agent,
    control,
    workflowId,
    policy: RunPolicy.parse({}),
    startedWithHumanPolicy,
    handOver,
  };
  // A continued run takes its thread over before its handlers run: a decision signalled while the run
  // continued as new then meets the request it carries instead of being refused.
  const restoredFirst = input.continued !== undefined && patched(RESTORE_BEFORE_MESSAGES_PATCH);
  if (input.continued && restoredFirst) {
    assertOwnContinuation();
    thread.restore(input.continued.events);
  }
  registerHandlers(thread, () => run.policy, run.control); // before any await, so queries work from the start
  if (input.continued) {
    if (!restoredFirst) {
      assertOwnContinuation();
      thread.restore(input.continued.events);
    }
    const started = input.continued.events[0];
    run.policy = started?.type === 'run_started' && started.policy ? started.policy : run.policy;
    run.policy = forkedPolicy(input.continued.events) ?? run.policy;
    return run;
  }
  if (input.fork) {
    await startFork(run, input.fork, input.requestedBy);
    return run;
  }
  // Carried spend and windows are a parent pipeline's to pass; from anyone else they could lift the agent's cap.
  const carried = workflowInfo().parent ? input.budgetCarried : undefined;
  const budget = runBudgetFor(agent, { ...input, budgetCarried: carried });
  if (startedWithHumanPolicy)
    run.policy = await loadRunPolicy({ agent: agent.name, ...(budget ? { budget: true } : {}) });
  thread.append({
    type: 'run_started',
    agent: agent.name,
    maxSteps: input.maxSteps ?? agent.maxSteps,
    policy: startedWithHumanPolicy ? run.policy : undefined,
    ...(budget ? { budget } : {}),
  });
  thread.append({ type: 'user_message', text: input.message!, by: input.requestedBy });
  if (agent.contextLoaders?.length && patched(PREFETCH_CONTEXT_PATCH)) await loadContext(run);
  return run;
}

/** One agent's durable loop: ask the model for one tool call, act by the tool's kind, repeat (F8). */
export async function agentWorkflow(rawInput: AgentWorkflowInput): Promise<AgentRunResult> {
  const { input, agent } = parseInput(rawInput);
  const run = await startRun(input, agent);
  const stepsAtStart = run.thread.state.step;
  const afterSteps = input.continueAsNewAfterSteps ?? DEFAULT_CONTINUE_AS_NEW_AFTER_STEPS;
  run.lastStepBeforeContinuing = stepsAtStart + afterSteps;
  const reopened = input.fork && !input.continued ? openCall(run.thread.events) : undefined;
  if (reopened) await dispatch(run, reopened); // asked anew: no approval before the cut counts
  if (input.continued?.waiting) await resumeWait(run, input.continued.waiting);
  while (!FINAL_STATUSES.includes(run.thread.state.status)) {
    takeDecidedSteps(run, () => shouldContinueAsNew(run, stepsAtStart, afterSteps));
    await stepBoundary(run.thread, run.control, run.handOver);
    if (shouldContinueAsNew(run, stepsAtStart, afterSteps)) {
      await run.handOver.continueAsNew();
    }
    await takeStep(run);
  }
  const { status, result, reason, step: steps, usage, budget } = run.thread.state;
  return AgentRunResult.parse({ status, result, reason, steps, usage, budgetWindow: budget?.window });
}
