/**
 * Choosing the next tool (F1, F4): the step's model input is planned and rendered, then the model
 * activity picks one tool call; a read-only tool it picks runs inside that activity.
 */
import { patched, workflowInfo } from '@temporalio/workflow';
import type { ChooseNextToolInput, ChosenToolCall, ToolOutput } from '../activities';
import { ContextPlanner } from '../core/context-planner';
import { agentInstructions, contextTokenBudget, renderModelInputWithEdits } from '../core/model-input-render';
import type { ModelInput } from '../core/model-input-render';
import { chooseNextTool, MODEL_ACTIVITY_OPTIONS, planModelInput } from './activities';
import { errorEventFrom } from './failures';
import type { Run } from './run';

/**
 * The model activity receives the rendered, budgeted input (prompt and context), so the Web UI shows
 * exactly what the model was sent; the history grows by at most the budget's text per step.
 */
const MODEL_INPUT_INLINE_PATCH = 'model-input-inline-v1';
/**
 * The workflow plans the budget itself, step by step (core/context-planner.ts): the local activity only
 * counts the tokens of the new events' lines, instead of receiving the whole thread and answering how
 * many budget edits fit.
 */
const MODEL_INPUT_COUNTED_PATCH = 'model-input-counted-v1';

/** Each run's context planner: it has taken in the thread up to the last step. */
const planners = new WeakMap<Run, ContextPlanner>();

/** The tokens the planner lacks, counted by the local activity. */
async function countTokens(texts: string[]): Promise<number[]> {
  const answer = await planModelInput({ texts });
  if (!Array.isArray(answer)) throw new Error('planModelInput answered edits to a count request.');
  return answer;
}

/**
 * The step's model input, planned by the run's planner from the thread as the step starts (a signal
 * landing meanwhile waits for the next step). Replay matches commands by type and activity id, never
 * by input: the recorded input stands, so a replayed step neither plans nor renders, and sends no text
 * to count. A step that began in replay but whose count ran live (the worker stopped before recording
 * it) got no counts: it counts again, now live; the empty answer in history makes a replay do the same.
 */
async function countedInput(run: Run): Promise<ModelInput> {
  const { thread, agent } = run;
  const [end, state] = [thread.events.length, thread.state];
  const planned = () => {
    const planner = planners.get(run) ?? new ContextPlanner();
    planners.set(run, planner);
    planner.update(thread.events, state, end);
    return planner;
  };
  let planner = workflowInfo().unsafe.isReplaying ? undefined : planned();
  let counts = await countTokens(planner?.uncountedTexts() ?? []);
  if (counts.length === 0) {
    planner = workflowInfo().unsafe.isReplaying ? undefined : planned();
    counts = await countTokens(planner?.uncountedTexts() ?? []);
  }
  if (!planner || workflowInfo().unsafe.isReplaying) return { instructions: '', context: '' };
  planner.learn(counts);
  return { instructions: agentInstructions(agent), context: planner.render(contextTokenBudget(agent)) };
}

/** Runs recorded before MODEL_INPUT_COUNTED_PATCH planned in the local activity; before MODEL_INPUT_INLINE_PATCH the activity read the thread back. */
async function modelCallInput(run: Run, step: number): Promise<{ input: ChooseNextToolInput; summary: string }> {
  const { thread, agent } = run;
  const summary = `${agent.name} step ${step}: choose the next tool`;
  if (patched(MODEL_INPUT_COUNTED_PATCH))
    return { input: { agent: agent.name, ...(await countedInput(run)) }, summary };
  if (patched(MODEL_INPUT_INLINE_PATCH)) {
    const events = thread.events.slice();
    const answer = await planModelInput({ agent: agent.name, events });
    const edits = Array.isArray(answer) ? 0 : answer.edits;
    const rendered = workflowInfo().unsafe.isReplaying
      ? { instructions: '', context: '' }
      : renderModelInputWithEdits(agent, events, edits);
    return { input: { agent: agent.name, ...rendered }, summary };
  }
  const readBack = `${summary} (its input: tfa model-input ${run.workflowId} --step ${step} --run ${workflowInfo().runId})`;
  return { input: { agent: agent.name, events: thread.events.length }, summary: readBack };
}

/** A read-only tool the model chooses runs inside the decision's activity: no round trip of its own. */
const READ_ONLY_IN_DECISION_PATCH = 'read-only-in-decision-v1';
/** The same, decided before the step's local activity: v1's marker after it broke replay when that activity was slow. */
const READ_ONLY_IN_DECISION_EARLY_PATCH = 'read-only-in-decision-v2';

/** Outputs of read-only tools the decision already ran, by call id, until the call is dispatched. */
const decidedOutputs = new WeakMap<Run, Map<string, ToolOutput>>();

/** The output the decision's activity already produced for this call, if it ran a read-only tool; taken once. */
export function takeDecidedOutput(run: Run, callId: string): ToolOutput | undefined {
  const decided = decidedOutputs.get(run)?.get(callId);
  decidedOutputs.delete(run);
  return decided;
}

export async function chooseNext(run: Run): Promise<ChosenToolCall | null> {
  const step = run.thread.state.step + 1;
  // Decided before the planning local activity, so its marker lands in the workflow task that starts the
  // step whatever that activity's timing (a slow one heartbeats the task; replay must still find the marker).
  const decidedEarly = patched(READ_ONLY_IN_DECISION_EARLY_PATCH);
  try {
    const { input, summary } = await modelCallInput(run, step);
    const readOnlyInDecision = decidedEarly || patched(READ_ONLY_IN_DECISION_PATCH);
    const readOnlyTools = 'events' in input || !readOnlyInDecision ? {} : { readOnlyTools: { step } };
    const { readOnlyOutput, ...choice } = await chooseNextTool.executeWithOptions(
      { ...MODEL_ACTIVITY_OPTIONS, summary },
      [{ ...input, ...readOnlyTools }],
    );
    if (readOnlyOutput) decidedOutputs.set(run, new Map([[choice.callId, readOnlyOutput]]));
    return choice;
  } catch (error) {
    run.thread.append(errorEventFrom(error, 'model'));
    return null;
  }
}
