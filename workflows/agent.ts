import { ApplicationFailure, condition, uuid4, workflowInfo } from '@temporalio/workflow';
import { findAgent } from '../agents';
import type { ChosenToolCall } from '../activities';
import { findTool, type AgentDefinition } from '../core/agent';
import { renderContext } from '../core/context';
import { describeIssues } from '../core/decisions';
import { argsDigest } from '../core/digest';
import { renderPrompt } from '../core/prompt';
import { AgentRunResult, AgentWorkflowInput } from '../core/run';
import { FINAL_STATUSES, type EventOf } from '../core/thread';
import { chooseNextTool, executeTool, MODEL_ACTIVITY_OPTIONS, notifyHuman, TOOL_ACTIVITY_OPTIONS } from './activities';
import { errorEventFrom } from './failures';
import { registerHandlers, type PauseControl } from './handlers';
import { RunThread } from './run-thread';

interface Run {
  thread: RunThread;
  agent: AgentDefinition;
  control: PauseControl;
  workflowId: string;
}

function parseInput(raw: unknown): { input: AgentWorkflowInput; agent: AgentDefinition } {
  const parsed = AgentWorkflowInput.safeParse(raw);
  if (!parsed.success) {
    throw ApplicationFailure.nonRetryable(`Invalid agentWorkflow input: ${describeIssues(parsed.error)}`, 'ConfigurationError');
  }
  const agent = findAgent(parsed.data.agent);
  if (!agent) throw ApplicationFailure.nonRetryable(`Unknown agent "${parsed.data.agent}".`, 'ConfigurationError');
  return { input: parsed.data, agent };
}

/** Honours a pause between steps, and between choosing a tool and running it (F6). */
async function stepBoundary({ thread, control }: Run): Promise<void> {
  if (!control.requested) return;
  thread.append({ type: 'paused', ...control.requested });
  control.requested = null;
  await condition(() => control.resume !== null);
  thread.append({ type: 'resumed', ...control.resume! });
  control.resume = null;
}

async function waitForHuman(run: Run, kind: 'approval' | 'input' | 'escalation', summary: string): Promise<void> {
  const requestId = run.thread.state.pending!.requestId;
  await notifyHuman({ workflowId: run.workflowId, agent: run.agent.name, requestId, kind, summary });
  await condition(() => run.thread.state.pending?.requestId !== requestId);
}

async function escalate(run: Run): Promise<void> {
  const lastError = [...run.thread.events].reverse().find((event) => event.type === 'error');
  const reason = `${run.thread.state.consecutiveErrors} consecutive errors; last: ${lastError?.type === 'error' ? lastError.message : 'unknown'}`;
  run.thread.append({ type: 'escalated', requestId: uuid4(), reason });
  await waitForHuman(run, 'escalation', `The agent is stuck (${reason}). Reply with guidance, or resume.`);
}

async function chooseNext(run: Run): Promise<ChosenToolCall | null> {
  const { thread, agent } = run;
  const instructions = renderPrompt(agent.prompt, { agent: agent.name, tools: agent.tools.map((tool) => tool.name).join(', ') });
  try {
    return await chooseNextTool.executeWithOptions({ ...MODEL_ACTIVITY_OPTIONS, summary: `${agent.name} step ${thread.state.step + 1}: choose the next tool` }, [
      { agent: agent.name, instructions, context: renderContext(thread.state, thread.events) },
    ]);
  } catch (error) {
    thread.append(errorEventFrom(error, 'model'));
    return null;
  }
}

async function execute(run: Run, call: EventOf<'tool_call'>): Promise<void> {
  const summary = `${call.tool} ${JSON.stringify(call.args)}`;
  try {
    const { output, truncated } = await executeTool.executeWithOptions({ ...TOOL_ACTIVITY_OPTIONS, summary }, [
      { agent: run.agent.name, tool: call.tool, callId: call.callId, args: call.args, operationId: `${run.workflowId}/${call.id}` },
    ]);
    run.thread.append({ type: 'tool_result', callId: call.callId, tool: call.tool, output, truncated });
  } catch (error) {
    run.thread.append(errorEventFrom(error, 'tool', call));
  }
}

async function requestApproval(run: Run, call: EventOf<'tool_call'>): Promise<void> {
  run.thread.append({ type: 'approval_requested', requestId: uuid4(), callId: call.callId, tool: call.tool, args: call.args, argsDigest: argsDigest(call.args) });
  await waitForHuman(run, 'approval', `${call.tool} ${JSON.stringify(call.args)}`);
  if (run.thread.last()?.type === 'approval_granted') await execute(run, call);
}

async function askHuman(run: Run, call: EventOf<'tool_call'>): Promise<void> {
  const { question, options } = call.args as { question: string; options?: string[] | null };
  run.thread.append({ type: 'human_input_requested', requestId: uuid4(), callId: call.callId, question, options: options ?? undefined });
  await waitForHuman(run, 'input', question);
}

/** Runs the chosen tool by its kind (F8). */
async function dispatch(run: Run, call: EventOf<'tool_call'>): Promise<void> {
  switch (call.kind) {
    case 'immediate':
      return execute(run, call);
    case 'approval':
      return requestApproval(run, call);
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
  await stepBoundary(run);
  await dispatch(run, call);
}

/** One agent's durable loop: ask the model for one tool call, act by the tool's kind, repeat (F8). */
export async function agentWorkflow(rawInput: AgentWorkflowInput): Promise<AgentRunResult> {
  const { input, agent } = parseInput(rawInput);
  const run: Run = { thread: new RunThread(workflowInfo().workflowId), agent, control: { requested: null, resume: null }, workflowId: workflowInfo().workflowId };
  registerHandlers(run.thread, {}, run.control);
  run.thread.append({ type: 'run_started', agent: agent.name, maxSteps: input.maxSteps ?? agent.maxSteps });
  run.thread.append({ type: 'user_message', text: input.message, by: input.requestedBy });
  while (!FINAL_STATUSES.includes(run.thread.state.status)) {
    await stepBoundary(run);
    await step(run);
  }
  const { status, result, reason, step: steps } = run.thread.state;
  return AgentRunResult.parse({ status, result, reason, steps });
}
