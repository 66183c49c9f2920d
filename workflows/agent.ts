import { allHandlersFinished, ApplicationFailure, continueAsNew, patched, upsertSearchAttributes, uuid4, workflowInfo } from '@temporalio/workflow';
import { findAgent } from '../agents';
import type { ChooseNextToolInput, ChosenToolCall, ToolOutput } from '../activities';
import { findTool, type AgentDefinition } from '../core/agent';
import { carryThread } from '../core/continuation';
import { describeIssues } from '../core/decisions';
import { renderModelInputWithEdits } from '../core/model-input-render';
import { RunPolicy } from '../core/policy';
import type { AgentState } from '../core/reducer';
import { AgentRunResult, AgentWorkflowInput, type ContinuedWait } from '../core/run';
import { FINAL_STATUSES, type EventOf } from '../core/thread';
import { chooseNextTool, executeTool, loadRunPolicy, MODEL_ACTIVITY_OPTIONS, planModelInput, TOOL_ACTIVITY_OPTIONS } from './activities';
import { errorEventFrom } from './failures';
import { registerHandlers } from './handlers';
import { askHuman, awaitApproval, escalate, requestApproval, waitForHuman } from './human-requests';
import { createPauseControl, PAUSE_REQUESTED_PATCH, stepBoundary } from './pausing';
import { pinnedArgs } from './pin-args';
import type { HandOver, Run } from './run';
import { RunThread } from './run-thread';
import { tfaAgentKey, tfaPendingRequestKey, tfaStatusKey } from './search-attributes';

/** Steps per workflow run before it continues as new, unless the input says otherwise. */
const DEFAULT_CONTINUE_AS_NEW_AFTER_STEPS = 100;

/** Request timeouts, the run policy and search attributes arrived together; older runs replay without them. */
const HUMAN_POLICY_PATCH = 'human-policy-v1';

/** Repeated refusals fold into one event with a count (core/refusals.ts); older runs replay without it. */
const FOLD_REFUSALS_PATCH = 'fold-refusals-v1';

function parseInput(raw: unknown): { input: AgentWorkflowInput; agent: AgentDefinition } {
  const parsed = AgentWorkflowInput.safeParse(raw);
  if (!parsed.success) {
    throw ApplicationFailure.nonRetryable(`Invalid agentWorkflow input: ${describeIssues(parsed.error)}`, 'ConfigurationError');
  }
  const agent = findAgent(parsed.data.agent);
  if (!agent) throw ApplicationFailure.nonRetryable(`Unknown agent "${parsed.data.agent}".`, 'ConfigurationError');
  return { input: parsed.data, agent };
}

/**
 * The model activity receives the rendered, budgeted input (prompt and context), so the Web UI shows
 * exactly what the model was sent; the history grows by at most the budget's text per step.
 */
const MODEL_INPUT_INLINE_PATCH = 'model-input-inline-v1';

/** Runs recorded before MODEL_INPUT_INLINE_PATCH sent an event count; the activity read the thread back. */
async function modelCallInput(run: Run, step: number): Promise<{ input: ChooseNextToolInput; summary: string }> {
  const { thread, agent } = run;
  if (patched(MODEL_INPUT_INLINE_PATCH)) {
    const events = thread.events.slice(); // a signal landing meanwhile waits for the next step
    const { edits } = await planModelInput({ agent: agent.name, events });
    // Replay matches commands by type and activity id, never by input: the recorded input stands, so
    // a run the worker replays (evicted from its cache, or queried after it ended) skips the render.
    const rendered = workflowInfo().unsafe.isReplaying ? { instructions: '', context: '' } : renderModelInputWithEdits(agent, events, edits);
    return { input: { agent: agent.name, ...rendered }, summary: `${agent.name} step ${step}: choose the next tool` };
  }
  const summary = `${agent.name} step ${step}: choose the next tool (its input: tfa model-input ${run.workflowId} --step ${step} --run ${workflowInfo().runId})`;
  return { input: { agent: agent.name, events: thread.events.length }, summary };
}

/** A read-only tool the model chooses runs inside the decision's activity: no round trip of its own. */
const READ_ONLY_IN_DECISION_PATCH = 'read-only-in-decision-v1';
/** The same, decided before the step's local activity: v1's marker after it broke replay when that activity was slow. */
const READ_ONLY_IN_DECISION_EARLY_PATCH = 'read-only-in-decision-v2';

/** Outputs of read-only tools the decision already ran, by call id, until the call is dispatched. */
const decidedOutputs = new WeakMap<Run, Map<string, ToolOutput>>();

async function chooseNext(run: Run): Promise<ChosenToolCall | null> {
  const step = run.thread.state.step + 1;
  // Decided before the planning local activity, so its marker lands in the workflow task that starts the
  // step whatever that activity's timing (a slow one heartbeats the task; replay must still find the marker).
  const decidedEarly = patched(READ_ONLY_IN_DECISION_EARLY_PATCH);
  try {
    const { input, summary } = await modelCallInput(run, step);
    const readOnlyInDecision = decidedEarly || patched(READ_ONLY_IN_DECISION_PATCH);
    const readOnlyTools = 'events' in input || !readOnlyInDecision ? {} : { readOnlyTools: { operationId: `${run.workflowId}/step-${step}` } };
    const { readOnlyOutput, ...choice } = await chooseNextTool.executeWithOptions({ ...MODEL_ACTIVITY_OPTIONS, summary }, [{ ...input, ...readOnlyTools }]);
    if (readOnlyOutput) decidedOutputs.set(run, new Map([[choice.callId, readOnlyOutput]]));
    return choice;
  } catch (error) {
    run.thread.append(errorEventFrom(error, 'model'));
    return null;
  }
}

/** Runs the call with `args`: the model's, or for an approval the ones the request showed. */
async function execute(run: Run, call: EventOf<'tool_call'>, args = call.args): Promise<void> {
  const summary = `${call.tool} ${JSON.stringify(args)}`;
  try {
    const decided = decidedOutputs.get(run)?.get(call.callId);
    decidedOutputs.delete(run);
    const { output, truncated } = decided ?? (await executeTool.executeWithOptions({ ...TOOL_ACTIVITY_OPTIONS, summary }, [
      { agent: run.agent.name, tool: call.tool, callId: call.callId, args, operationId: `${run.workflowId}/${call.id}` },
    ]));
    run.thread.append({ type: 'tool_result', callId: call.callId, tool: call.tool, output, truncated });
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

async function step(run: Run): Promise<void> {
  const { thread, agent } = run;
  if (thread.state.consecutiveErrors >= agent.errorThreshold) return escalate(run);
  if (thread.state.step >= thread.state.maxSteps) {
    return void thread.append({ type: 'run_ended', status: 'max_steps_reached', reason: `reached the limit of ${thread.state.maxSteps} steps without finishing` });
  }
  const choice = await chooseNext(run);
  if (!choice) return;
  const kind = findTool(agent, choice.tool)!.kind;
  const call = thread.append({ type: 'tool_call', ...choice, kind }) as EventOf<'tool_call'>;
  await stepBoundary(run.thread, run.control);
  await dispatch(run, call);
}

/** Keeps TfaStatus/TfaPendingRequest current, so `temporal workflow list --query` finds waiting runs. */
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

/** Runs continue as new while they wait for a person or a resume, too; older runs replay without it. */
const CONTINUE_WHILE_WAITING_PATCH = 'continue-while-waiting-v1';

/** Whether this run should hand its thread to a fresh run, at a step boundary with nothing pending. */
function shouldContinueAsNew(run: Run, stepsAtStart: number, afterSteps: number): boolean {
  const { state } = run.thread;
  if (state.pending || FINAL_STATUSES.includes(state.status) || !allHandlersFinished()) return false;
  return run.handOver.ready() || workflowInfo().continueAsNewSuggested || state.step - stepsAtStart >= afterSteps;
}

/** Continue-as-new for this run: the recent thread goes along, bounded; this run keeps the rest. */
function handOverFor(run: () => Run, input: AgentWorkflowInput, whileWaiting: boolean): HandOver {
  const historyLimit = input.continueAsNewAtHistoryBytes ?? Number.POSITIVE_INFINITY;
  return {
    ready() {
      const info = workflowInfo();
      return whileWaiting && allHandlersFinished() && (info.continueAsNewSuggested || info.historySize >= historyLimit);
    },
    async continueAsNew(waiting?: ContinuedWait): Promise<never> {
      const { thread, control } = run();
      const note = { id: uuid4(), at: new Date().toISOString(), runId: workflowInfo().runId };
      return continueAsNew<typeof agentWorkflow>({
        ...input,
        continued: { events: carryThread(thread.events, note), pauseRequested: control.requested, ...(waiting ? { waiting } : {}) },
      });
    },
  };
}

/** A run continued while waiting keeps waiting on the same request, without asking again. */
async function resumeWait(run: Run, waiting: ContinuedWait): Promise<void> {
  const pending = run.thread.state.pending;
  if (pending?.requestId !== waiting.requestId) return;
  if (pending.kind !== 'approval') return waitForHuman(run, waiting);
  const call = run.thread.events.find((event): event is EventOf<'tool_call'> => event.type === 'tool_call' && event.callId === pending.callId);
  if (!call) throw ApplicationFailure.nonRetryable(`the carried thread lacks the tool call ${pending.callId} of request ${pending.requestId}`, 'ContinuationError');
  if (await awaitApproval(run, waiting)) await execute(run, call, pending.args);
}

/**
 * Only this workflow writes a thread (design.md, Trust model): a carried thread is accepted only in a
 * run this workflow continued as new, never from a start request, a retry or a cron run.
 */
function assertOwnContinuation(): void {
  const info = workflowInfo();
  if (info.continuedFromExecutionRunId !== undefined && info.attempt === 1 && !info.cronSchedule) return;
  throw ApplicationFailure.nonRetryable(
    '"continued" is set only by agentWorkflow itself when it continues as new; start a run with "agent" and "message" alone.',
    'ConfigurationError',
  );
}

async function startRun(input: AgentWorkflowInput, agent: AgentDefinition): Promise<Run> {
  const workflowId = workflowInfo().workflowId;
  const timeouts = patched(HUMAN_POLICY_PATCH);
  const thread = new RunThread(workflowId, timeouts ? searchAttributePublisher(agent.name) : undefined, patched(FOLD_REFUSALS_PATCH));
  const control = createPauseControl(input.continued?.pauseRequested ?? null, patched(PAUSE_REQUESTED_PATCH));
  const handOver = handOverFor(() => run, input, patched(CONTINUE_WHILE_WAITING_PATCH));
  const run: Run = { thread, agent, control, workflowId, policy: RunPolicy.parse({}), timeouts, handOver };
  registerHandlers(thread, () => run.policy, run.control); // before any await, so queries work from the start
  if (input.continued) {
    assertOwnContinuation();
    thread.restore(input.continued.events);
    const started = input.continued.events[0];
    run.policy = started?.type === 'run_started' && started.policy ? started.policy : run.policy;
    return run;
  }
  if (timeouts) run.policy = await loadRunPolicy({ agent: agent.name });
  thread.append({ type: 'run_started', agent: agent.name, maxSteps: input.maxSteps ?? agent.maxSteps, policy: timeouts ? run.policy : undefined });
  thread.append({ type: 'user_message', text: input.message, by: input.requestedBy });
  return run;
}

/** One agent's durable loop: ask the model for one tool call, act by the tool's kind, repeat (F8). */
export async function agentWorkflow(rawInput: AgentWorkflowInput): Promise<AgentRunResult> {
  const { input, agent } = parseInput(rawInput);
  const run = await startRun(input, agent);
  const stepsAtStart = run.thread.state.step;
  if (input.continued?.waiting) await resumeWait(run, input.continued.waiting);
  while (!FINAL_STATUSES.includes(run.thread.state.status)) {
    await stepBoundary(run.thread, run.control, run.handOver);
    if (shouldContinueAsNew(run, stepsAtStart, input.continueAsNewAfterSteps ?? DEFAULT_CONTINUE_AS_NEW_AFTER_STEPS)) {
      await run.handOver.continueAsNew();
    }
    await step(run);
  }
  const { status, result, reason, step: steps, usage } = run.thread.state;
  return AgentRunResult.parse({ status, result, reason, steps, usage });
}
