/**
 * Choosing the next tool (F1, F4): the step's model input is planned and rendered, then the model
 * activity picks one tool call; a read-only tool it picks runs inside that activity.
 */
import { patched, workflowInfo } from '@temporalio/workflow';
import type { ChooseNextToolInput, ChosenToolCall, ToolOutput } from '../activities';
import { renderModelInputWithEdits } from '../core/model-input-render';
import { chooseNextTool, MODEL_ACTIVITY_OPTIONS, planModelInput } from './activities';
import { errorEventFrom } from './failures';
import type { Run } from './run';

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
    const rendered = workflowInfo().unsafe.isReplaying
      ? { instructions: '', context: '' }
      : renderModelInputWithEdits(agent, events, edits);
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
    const readOnlyTools =
      'events' in input || !readOnlyInDecision
        ? {}
        : { readOnlyTools: { operationId: `${run.workflowId}/step-${step}` } };
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
