/**
 * Choosing the next tool (F1, F4): the step's model input is planned and rendered, then the model
 * activity picks one tool call; a read-only tool it picks runs inside that activity.
 */
import { patched, workflowInfo } from '@temporalio/workflow';
import type {
  ChainedDecision,
  ChainedFailure,
  ChooseNextToolInput,
  ChosenToolCall,
  DecidedAfterTool,
  DecisionAfterTool,
  DecisionChain,
  ToolOutput,
} from '../activities';
import { ContextPlanner } from '../core/context-planner';
import { MAX_TOOL_OUTPUT_CHARS } from '../core/constants';
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

/**
 * After a read-only step, the model activity may decide the next read-only steps itself from the
 * worker's copy of the thread (activities/thread-mirrors.ts), each recorded with the context it was
 * sent, so a loop of reads makes one round trip instead of one per step.
 */
const CHAIN_READ_ONLY_PATCH = 'chain-read-only-v1';
/** The most decisions one model activity makes. */
const MAX_CHAINED_DECISIONS = 32;

/** Each run's context planner: it has taken in the thread up to the last step. */
const planners = new WeakMap<Run, ContextPlanner>();

/** How much of each run's thread the worker's copy holds, as the last count answered; 0 sends it whole. */
const mirroredLengths = new WeakMap<Run, number>();

/** Runs that may decide a step outside the workflow task that starts it: those without a spend budget (each step is checked against it). */
function chains(run: Run): boolean {
  return !run.thread.state.budget;
}

/**
 * A tool's activity decides the next step after the tool (activities/decide-after-tool.ts), from the
 * worker's copy of the thread: a step that acts is one round trip, its pause boundary (the choice
 * recorded before the tool is scheduled) unchanged.
 */
const DECIDE_AFTER_TOOL_PATCH = 'decide-after-tool-v1';

/** What the tool's activity needs to decide the step after it; none when the run cannot chain or the step would pass a limit. */
export function decisionAfterTool(run: Run): DecisionAfterTool | undefined {
  const step = run.thread.state.step + 1;
  // A requested pause takes effect right after the tool: a decision made before it would go unused.
  if (
    !chains(run) ||
    step > lastStepToDecide(run) ||
    run.thread.state.pauseRequested ||
    decisionsWithRoom(run) === 0 ||
    !patched(DECIDE_AFTER_TOOL_PATCH)
  )
    return undefined;
  const { events } = run.thread;
  const from = mirroredLengths.get(run) ?? 0;
  if (!workflowInfo().unsafe.isReplaying) mirroredLengths.set(run, events.length);
  return {
    thread: { from, events: events.slice(from) },
    chain: { events: events.length + 1, steps: chainLength(run, step) },
    step,
  };
}

/** Keeps the decisions a tool's activity made after the tool: the first is due once its result is on the thread. */
export function keepDecisionAfterTool(run: Run, next: DecidedAfterTool): void {
  const decisions: Array<ChainedDecision | ChainedFailure> = [];
  if ('failure' in next) decisions.push({ context: next.context, failure: next.failure });
  else {
    const { instructions: _sentOnce, chained, ...decision } = next;
    decisions.push(decision, ...(chained ?? []));
  }
  chainedDecisions.set(run, { due: run.thread.events.length, decisions });
}

/** The tokens the planner lacks, counted by the local activity; for a chaining run, it also brings the worker's copy of the thread along. */
async function countTokens(run: Run, texts: string[], live: boolean, chained: boolean): Promise<number[]> {
  const { events } = run.thread;
  const from = mirroredLengths.get(run) ?? 0;
  const thread = live && chained ? { from, events: events.slice(from) } : undefined;
  const answer = await planModelInput({ texts, ...(thread && { thread }) });
  if (Array.isArray(answer)) return answer;
  if ('edits' in answer) throw new Error('planModelInput answered edits to a count request.');
  if (live) mirroredLengths.set(run, answer.followed ? events.length : 0);
  return answer.counts;
}

/**
 * The step's model input, planned by the run's planner from the thread as the step starts (a signal
 * landing meanwhile waits for the next step). Replay matches commands by type and activity id, never
 * by input: the recorded input stands, so a replayed step neither plans nor renders, and sends no text
 * to count. A step that began in replay but whose count ran live (the worker stopped before recording
 * it) got no counts: it counts again, now live; the empty answer in history makes a replay do the same.
 */
async function countedInput(run: Run, chained: boolean): Promise<ModelInput> {
  const { thread, agent } = run;
  const [end, state] = [thread.events.length, thread.state];
  const planned = () => {
    const planner = planners.get(run) ?? new ContextPlanner();
    planners.set(run, planner);
    planner.update(thread.events, state, end);
    return planner;
  };
  let planner = workflowInfo().unsafe.isReplaying ? undefined : planned();
  let counts = await countTokens(run, planner?.uncountedTexts() ?? [], planner !== undefined, chained);
  if (counts.length === 0) {
    planner = workflowInfo().unsafe.isReplaying ? undefined : planned();
    counts = await countTokens(run, planner?.uncountedTexts() ?? [], planner !== undefined, chained);
  }
  if (!planner || workflowInfo().unsafe.isReplaying) return { instructions: '', context: '' };
  planner.learn(counts);
  return { instructions: agentInstructions(agent), context: planner.render(contextTokenBudget(agent)) };
}

/** Runs recorded before MODEL_INPUT_COUNTED_PATCH planned in the local activity; before MODEL_INPUT_INLINE_PATCH the activity read the thread back. */
async function modelCallInput(
  run: Run,
  step: number,
  chained: boolean,
): Promise<{ input: ChooseNextToolInput; summary: string }> {
  const { thread, agent } = run;
  const summary = `${agent.name} step ${step}: choose the next tool`;
  if (patched(MODEL_INPUT_COUNTED_PATCH))
    return { input: { agent: agent.name, ...(await countedInput(run, chained)) }, summary };
  if (patched(MODEL_INPUT_INLINE_PATCH)) {
    const events = thread.events.slice();
    const answer = await planModelInput({ agent: agent.name, events });
    const edits = 'edits' in answer ? answer.edits : 0;
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

/** Decisions the last model activity made after its first, and the thread length at which the next one is due. */
const chainedDecisions = new WeakMap<Run, { due: number; decisions: Array<ChainedDecision | ChainedFailure> }>();

/**
 * The next chained decision, if the thread holds exactly what the chain decided from: anything else
 * on it (a signal, a pause, an error) drops the rest, and the model is asked again.
 */
function nextChainedDecision(run: Run): ChosenToolCall | 'failed' | undefined {
  const chain = chainedDecisions.get(run);
  chainedDecisions.delete(run);
  const decision = chain?.decisions[0];
  if (!chain || !decision || chain.due !== run.thread.events.length) return undefined;
  if ('failure' in decision) {
    run.thread.append({ type: 'error', source: 'model', ...decision.failure });
    return 'failed';
  }
  const { context: _sent, readOnlyOutput, ...choice } = decision;
  if (readOnlyOutput) decidedOutputs.set(run, new Map([[choice.callId, readOnlyOutput]]));
  // Its call and result come next, then the decision after it is due.
  if (readOnlyOutput) chainedDecisions.set(run, { due: chain.due + 2, decisions: chain.decisions.slice(1) });
  return choice;
}

/**
 * The next chained decision whose read-only tool the activity already ran, if it is due: a step left
 * only to record, taken without yielding (agent.ts, takeDecidedSteps). Any other decision is left to
 * chooseNext.
 */
export function takeDecidedStep(run: Run): { choice: ChosenToolCall; output: ToolOutput } | undefined {
  const chain = chainedDecisions.get(run);
  const decision = chain?.decisions[0];
  if (!chain || !decision || 'failure' in decision || !decision.readOnlyOutput) return undefined;
  if (chain.due !== run.thread.events.length) return undefined;
  const { context: _sent, readOnlyOutput, ...choice } = decision;
  chainedDecisions.set(run, { due: chain.due + 2, decisions: chain.decisions.slice(1) });
  return { choice, output: readOnlyOutput };
}

/** At most this many decisions in the next model activity, counting its first. */
function chainLength(run: Run, step: number): number {
  return Math.max(1, Math.min(MAX_CHAINED_DECISIONS, lastStepToDecide(run) - step + 1, decisionsWithRoom(run)));
}

/** The last step a decision made ahead may be for: the run's step limit, or the step it continues as new after. */
function lastStepToDecide(run: Run): number {
  return Math.min(run.thread.state.maxSteps, run.lastStepBeforeContinuing ?? Number.POSITIVE_INFINITY);
}

/**
 * What one recorded decision may add to the history at most: the context within its budget (4 bytes a
 * token is far above o200k's average), a tool's output and the call's JSON.
 */
function decisionBytes(run: Run): number {
  return contextTokenBudget(run.agent) * 4 + MAX_TOOL_OUTPUT_CHARS + 4096;
}

/** How many decisions fit before the run continues as new by history size: the ones past it would be let go. */
function decisionsWithRoom(run: Run): number {
  let count = 0;
  while (count < MAX_CHAINED_DECISIONS && run.handOver.roomFor((count + 1) * decisionBytes(run))) count++;
  return count;
}

/** The output the decision's activity already produced for this call, if it ran a read-only tool; taken once. */
export function takeDecidedOutput(run: Run, callId: string): ToolOutput | undefined {
  const decided = decidedOutputs.get(run)?.get(callId);
  decidedOutputs.delete(run);
  return decided;
}

export async function chooseNext(run: Run): Promise<ChosenToolCall | null> {
  const chainedChoice = nextChainedDecision(run);
  if (chainedChoice) return chainedChoice === 'failed' ? null : chainedChoice;
  const step = run.thread.state.step + 1;
  // Decided before the planning local activity, so its marker lands in the workflow task that starts the
  // step whatever that activity's timing (a slow one heartbeats the task; replay must still find the marker).
  const decidedEarly = patched(READ_ONLY_IN_DECISION_EARLY_PATCH);
  const chained = decidedEarly && chains(run) && patched(CHAIN_READ_ONLY_PATCH);
  try {
    const due = run.thread.events.length;
    const { input, summary } = await modelCallInput(run, step, chained);
    const readOnlyInDecision = decidedEarly || patched(READ_ONLY_IN_DECISION_PATCH);
    const readOnlyTools = 'events' in input || !readOnlyInDecision ? {} : { readOnlyTools: { step } };
    const chain: DecisionChain | undefined = chained ? { events: due, steps: chainLength(run, step) } : undefined;
    const {
      readOnlyOutput,
      chained: decisions,
      ...choice
    } = await chooseNextTool.executeWithOptions({ ...MODEL_ACTIVITY_OPTIONS, summary }, [
      { ...input, ...readOnlyTools, ...(chain && { chain }) },
    ]);
    if (readOnlyOutput) decidedOutputs.set(run, new Map([[choice.callId, readOnlyOutput]]));
    if (readOnlyOutput && decisions?.length) chainedDecisions.set(run, { due: due + 2, decisions });
    return choice;
  } catch (error) {
    run.thread.append(errorEventFrom(error, 'model'));
    return null;
  }
}
