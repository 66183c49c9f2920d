import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import OpenAI from 'openai';
import { zodFunction } from 'openai/helpers/zod';
import type { ChatCompletion } from 'openai/resources/chat/completions';
import { findAgent } from '../agents';
import type { AgentDefinition } from '../core/agent';
import { findTool } from '../core/agent';
import { ConfigurationError, ModelOutputError, ModelOutputErrorCode, ModelUnavailableError } from '../core/errors';
import { DEFAULT_MODEL } from '../core/constants';
import { describeIssues } from '../core/zod-issues';
import { modelInputDigest, type ModelInput } from '../core/model-input';
import type { MirroredStep } from '../core/mirrored-thread';
import { costOf, priceOf, USAGE_MODEL_NAME_LIMIT, type ModelCallUsage, type PriceTable } from '../core/usage';
import { toApplicationFailure } from './application-failure';
import type { ExecuteToolInput, ToolOutput } from './execute-tool';
import { recordModelCall } from './model-call-metrics';
import { traceChat } from './telemetry/gen-ai-spans';
import { followThread, forgetThread, mirroredThread, type ThreadDelta } from './thread-mirrors';
import { runChangeChecks } from './run-unchanged';
import type { Tracing } from './telemetry/tracing';

/**
 * The rendered, budgeted input of one decision, as the workflow sends it (shown in the Web UI).
 * Runs scheduled before the patch model-input-inline-v1 sent `events`, a count of the thread's
 * events, for the activity to read the thread back; that form is refused (see modelInputOf).
 */
export type ChooseNextToolInput =
  | { agent: string; events: number }
  | ({ agent: string; readOnlyTools?: ReadOnlyToolsInDecision; chain?: DecisionChain } & ModelInput);

/**
 * Set by runs with the patch chain-read-only-v1: after a read-only step this activity may decide the
 * next steps itself (chainedDecisions), from the worker's copy of the thread, which must hold `events`
 * events, the thread this decision starts from; at most `steps` decisions in all, this one included.
 */
export interface DecisionChain {
  events: number;
  steps: number;
}

/**
 * Set on a tool's activity by runs with the patch decide-after-tool-v1: after the tool, the activity
 * decides the next step (createDecisions' decideAfterTool), so an acting step is one round trip.
 */
export interface DecisionAfterTool {
  /** The workflow's events the worker's copy lacks, up to the tool's call (activities/thread-mirrors.ts). */
  thread: ThreadDelta;
  /** The next decisions' chain; `events` counts the tool's result. */
  chain: DecisionChain;
  /** The next step's number. */
  step: number;
}

/** The decision made after a tool, with the full input the model was sent (no model activity holds it). */
export type DecidedAfterTool = (ChosenToolCall & ModelInput) | (ModelInput & { failure: ChainedFailure['failure'] });

/** A chain stops deciding after this long, so signals and queries see the thread move at least this often. */
const CHAIN_TIME_SLICE_MS = 1000;
/** ... or once the contexts and outputs it records pass this, far below Temporal's 2 MB payload limit. */
const CHAIN_RECORD_BYTES = 256 * 1024;

/**
 * Set by runs with the patch read-only-in-decision-v1: a chosen read-only tool runs here, in the same
 * activity, with the operation id `<workflow id>/step-<step>` (read-only tools do nothing twice, so one
 * per step is enough). Calls scheduled before the step was sent alone name the whole operation id.
 */
export type ReadOnlyToolsInDecision = { step: number } | { operationId: string };

/** The operation id a read-only tool run inside the decision gets. */
function decisionOperationId(options: ReadOnlyToolsInDecision): string {
  if ('operationId' in options) return options.operationId;
  const { workflowExecution, activityId } = Context.current().info;
  return `${workflowExecution?.workflowId ?? activityId}/step-${options.step}`;
}

export interface ValidToolCall {
  callId: string;
  tool: string;
  args: Record<string, unknown>;
}

/** The model's choice, and the digest of the input it answered. */
export interface ChosenToolCall extends ValidToolCall {
  inputDigest: string;
  /** A read-only tool's output, when the decision ran it (ReadOnlyToolsInDecision); a failed one is left to executeTool. */
  readOnlyOutput?: ToolOutput;
  /** The tokens the call used, as the endpoint reported them (absent when it reported none), and their cost. */
  usage?: ModelCallUsage;
  /** The decisions this activity made after it, in order (DecisionChain); each but the last ran a read-only tool. */
  chained?: Array<ChainedDecision | ChainedFailure>;
}

/** A decision made inside the chain: the call, and the context the model was sent (its instructions are the activity's). */
export interface ChainedDecision extends ValidToolCall {
  inputDigest: string;
  usage?: ModelCallUsage;
  context: string;
  readOnlyOutput?: ToolOutput;
}

/** A chained model call whose answer was invalid: the step the workflow records as the model's error, with its usage. */
export interface ChainedFailure {
  context: string;
  failure: { errorType: string; code?: string; message: string; usage?: ModelCallUsage };
}

/** HTTP statuses that retrying cannot fix: bad request, credentials, permissions, unknown model. */
const NON_RETRYABLE_STATUSES = new Set([400, 401, 403, 404, 422]);

const toolDefinitionsOf = (agent: AgentDefinition) =>
  agent.tools.map((tool) =>
    zodFunction({ name: tool.name, description: tool.description, parameters: tool.parameters }),
  );
type ToolDefinitions = ReturnType<typeof toolDefinitionsOf>;

/** Each agent's tools as the model sees them: converting the zod schemas to JSON Schema costs ms, so once per agent. */
const toolDefinitions = new WeakMap<AgentDefinition, ToolDefinitions>();

export function toolsFor(agent: AgentDefinition): ToolDefinitions {
  let definitions = toolDefinitions.get(agent);
  if (!definitions) {
    definitions = toolDefinitionsOf(agent);
    toolDefinitions.set(agent, definitions);
  }
  return definitions;
}

function endpointFailure(error: unknown): never {
  if (error instanceof OpenAI.APIError && error.status !== undefined && NON_RETRYABLE_STATUSES.has(error.status)) {
    const fix =
      error.status === 401 || error.status === 403 ? 'check OPENAI_API_KEY' : 'check TFA_MODEL and OPENAI_BASE_URL';
    throw toApplicationFailure(
      new ConfigurationError(
        `The model endpoint refused the request (HTTP ${error.status}: ${error.message}); ${fix}.`,
      ),
      { nonRetryable: true },
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  throw toApplicationFailure(new ModelUnavailableError(`The model endpoint failed: ${message}`), {
    nonRetryable: false,
  });
}

/** The call's usage goes along in the failure's details, so the run's thread counts an invalid answer's tokens too. */
function invalidOutputWith(code: ModelOutputErrorCode, message: string, usage?: ModelCallUsage): never {
  throw toApplicationFailure(new ModelOutputError(code, message), {
    nonRetryable: true,
    details: [{ code, ...(usage && { usage }) }],
  });
}

/** Checks that the model answered with exactly one call of a known tool with valid arguments. */
export function validateToolCall(
  agent: AgentDefinition,
  completion: ChatCompletion,
  usage?: ModelCallUsage,
): ValidToolCall {
  const invalidOutput: (code: ModelOutputErrorCode, message: string) => never = (code, message) =>
    invalidOutputWith(code, message, usage);
  const calls = (completion.choices[0]?.message.tool_calls ?? []).filter((call) => call.type === 'function');
  if (calls.length === 0)
    invalidOutput(
      ModelOutputErrorCode.noToolCall,
      'You answered without a tool call; answer with exactly one tool call.',
    );
  if (calls.length > 1)
    invalidOutput(
      ModelOutputErrorCode.multipleToolCalls,
      `You called ${calls.length} tools at once; call exactly one.`,
    );
  const call = calls[0]!;
  const tool = findTool(agent, call.function.name);
  if (!tool) {
    const known = agent.tools.map((candidate) => candidate.name).join(', ');
    invalidOutput(
      ModelOutputErrorCode.unknownTool,
      `There is no tool "${call.function.name}"; the tools are: ${known}.`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(call.function.arguments || '{}');
  } catch {
    invalidOutput(
      ModelOutputErrorCode.malformedArguments,
      `The arguments of ${tool.name} were not valid JSON: ${call.function.arguments.slice(0, 200)}`,
    );
  }
  const parsed = tool.parameters.safeParse(raw);
  if (!parsed.success) {
    invalidOutput(
      ModelOutputErrorCode.invalidArguments,
      `Invalid arguments for ${tool.name}: ${describeIssues(parsed.error)}.`,
    );
  }
  return { callId: call.id, tool: tool.name, args: parsed.data as Record<string, unknown> };
}

/** The input to send; an event count (a call scheduled before model-input-inline-v1) is a model error the run's next step recovers from. */
function modelInputOf(input: ChooseNextToolInput): ModelInput {
  if ('events' in input) {
    const fact = 'This model call was scheduled with an event count, before the workflow sent the model input inline';
    throw toApplicationFailure(new ConfigurationError(`${fact}; the run's next step sends it inline.`), {
      nonRetryable: true,
    });
  }
  return { instructions: input.instructions, context: input.context };
}

/** Runs a read-only tool the model chose, inside the decision; undefined when it is not read-only or fails (the workflow then runs it as an activity). */
async function readOnlyOutput(
  agent: AgentDefinition,
  call: ValidToolCall,
  options: ReadOnlyToolsInDecision | undefined,
  executeTool: ExecuteTool | undefined,
) {
  if (!options || !executeTool || !findTool(agent, call.tool)?.readOnly) return undefined;
  return executeTool({
    agent: agent.name,
    tool: call.tool,
    callId: call.callId,
    args: call.args,
    operationId: decisionOperationId(options),
  }).catch(() => undefined);
}

type ExecuteTool = (input: ExecuteToolInput) => Promise<ToolOutput>;

/** An invalid answer, as the workflow records a model error; undefined for an endpoint failure (the workflow's step retries it). */
function invalidAnswer(error: unknown): ChainedFailure['failure'] | undefined {
  if (!(error instanceof ApplicationFailure) || error.type !== ModelOutputError.name) return undefined;
  const details = error.details?.[0] as { code?: string; usage?: ModelCallUsage } | undefined;
  return {
    errorType: error.type,
    message: error.message,
    ...(details?.code && { code: details.code }),
    ...(details?.usage && { usage: details.usage }),
  };
}

/** More tokens than any one call can use: a count above it, negative, fractional or not a number is the endpoint's error. */
const MAX_REPORTED_TOKENS = 1_000_000_000;

/** A reported token count, or 0 when the endpoint reported something no call can use (the thread, totals and metrics stay valid). */
function reportedCount(value: unknown): number {
  return Number.isInteger(value) && (value as number) >= 0 && (value as number) <= MAX_REPORTED_TOKENS
    ? (value as number)
    : 0;
}

/** A model name as providers write them (`gpt-4o-2024-08-06`, `org/model@v1`): printable ASCII, no spaces or line breaks. */
const MODEL_NAME = /^[\x21-\x7e]+$/;

/** The model the endpoint says answered, unless that is not a short name (tfa status prints it); then the one asked for. */
function reportedModel(value: unknown, requestedModel: string): string {
  return typeof value === 'string' && MODEL_NAME.test(value) && value.length <= USAGE_MODEL_NAME_LIMIT
    ? value
    : requestedModel;
}

/** The usage the endpoint reported (OpenAI's `usage`), priced by the table; undefined when it reported none. */
export function usageOf(
  completion: ChatCompletion,
  requestedModel: string,
  prices: PriceTable | undefined,
): ModelCallUsage | undefined {
  if (!completion.usage) return undefined;
  const counts = {
    inputTokens: reportedCount(completion.usage.prompt_tokens),
    outputTokens: reportedCount(completion.usage.completion_tokens),
    cachedInputTokens: reportedCount(completion.usage.prompt_tokens_details?.cached_tokens ?? 0),
  };
  const model = reportedModel(completion.model, requestedModel);
  const price = priceOf(prices, model);
  return { model, ...counts, ...(price && { costUsd: costOf(price, counts) }) };
}

/** Which code a failed call counts under: the model output code, else the HTTP status. */
function failureCode(error: unknown): string {
  if (error instanceof OpenAI.APIError) return error.status === undefined ? 'no_response' : `http_${error.status}`;
  const details = (error as { details?: Array<{ code?: unknown }> } | undefined)?.details;
  return typeof details?.[0]?.code === 'string' ? details[0].code : 'unknown';
}

export interface DecisionDeps {
  openai: OpenAI;
  model?: string;
  executeTool?: ExecuteTool;
  prices?: PriceTable;
  tracing?: Tracing;
  /** How long a chain may decide between two checks that nothing reached the run; default RUN_CHECK_INTERVAL_MS. */
  runCheckIntervalMs?: number;
}

export function createChooseNextTool(deps: DecisionDeps) {
  return createDecisions(deps).chooseNextTool;
}

/** The model activity, and the decision a tool's activity makes after the tool (activities/execute-tool.ts). */
export function createDecisions(deps: DecisionDeps) {
  /** One model call: the valid tool call it chose, and what it used. */
  async function decide(agent: AgentDefinition, modelInput: ModelInput) {
    const { instructions, context } = modelInput;
    const model = deps.model ?? agent.model ?? DEFAULT_MODEL;
    let completion: ChatCompletion;
    try {
      completion = await traceChat(deps.tracing, { model, baseURL: deps.openai.baseURL }, () =>
        deps.openai.chat.completions.create({
          model,
          messages: [
            { role: 'system', content: instructions },
            { role: 'user', content: context },
          ],
          tools: toolsFor(agent),
          tool_choice: 'required',
          parallel_tool_calls: false,
        }),
      );
    } catch (error) {
      recordModelCall({ agent: agent.name, model, outcome: 'endpoint_error', code: failureCode(error) });
      endpointFailure(error);
    }
    const usage = usageOf(completion, model, deps.prices);
    let call: ValidToolCall;
    try {
      call = validateToolCall(agent, completion, usage);
    } catch (error) {
      recordModelCall({ agent: agent.name, model, outcome: 'invalid_output', code: failureCode(error), usage });
      throw error;
    }
    recordModelCall({ agent: agent.name, model, outcome: 'ok', usage });
    return { ...call, inputDigest: modelInputDigest(modelInput), ...(usage && { usage }) };
  }

  /** A decision made ahead of the workflow: the call, or an invalid answer to record (a failed call: neither). */
  async function decideOrFailure(agent: AgentDefinition, modelInput: ModelInput) {
    try {
      return await decide(agent, modelInput);
    } catch (error) {
      return { failure: invalidAnswer(error) };
    }
  }

  /**
   * The decisions after a read-only step, made here from the worker's copy of the thread while each
   * chosen tool is read-only, within the chain's limits. None when the copy is missing or renders the
   * first step differently from the workflow, and none once a check (runChangeChecks) sees that
   * anything else reached the run; the workflow lets go of any made after that. A failed
   * model call ends the chain unrecorded: the workflow's next step asks again, with its retries and
   * error events.
   */
  async function chainedDecisions(
    agent: AgentDefinition,
    input: { chain: DecisionChain; readOnlyTools?: ReadOnlyToolsInDecision } & ModelInput,
    first: MirroredStep,
    startedAt: number,
    runUnchanged: () => Promise<boolean>,
  ): Promise<Array<ChainedDecision | ChainedFailure>> {
    const runId = Context.current().info.workflowExecution?.runId;
    const mirror = runId === undefined ? undefined : mirroredThread(runId, input.chain.events);
    if (!mirror) return [];
    const rendered = mirror.modelInput(agent);
    if (rendered.context !== input.context || rendered.instructions !== input.instructions) {
      forgetThread(runId!);
      return [];
    }
    const firstStep = input.readOnlyTools && 'step' in input.readOnlyTools ? input.readOnlyTools.step : undefined;
    const decisions: Array<ChainedDecision | ChainedFailure> = [];
    let last = first;
    let recordedBytes = 0;
    while (
      decisions.length + 1 < input.chain.steps &&
      Date.now() - startedAt < CHAIN_TIME_SLICE_MS &&
      recordedBytes < CHAIN_RECORD_BYTES
    ) {
      // A signal, pause or reply that reached the run since is for the workflow to act on first.
      if (!(await runUnchanged())) break;
      mirror.appendStep(agent, last);
      const modelInput = mirror.modelInput(agent);
      const decided = await decideOrFailure(agent, modelInput);
      if ('failure' in decided) {
        if (decided.failure) decisions.push({ context: modelInput.context, failure: decided.failure });
        break;
      }
      const step = firstStep === undefined ? undefined : { step: firstStep + decisions.length + 1 };
      const output = await readOnlyOutput(agent, decided, step, deps.executeTool);
      decisions.push({ ...decided, context: modelInput.context, ...(output && { readOnlyOutput: output }) });
      recordedBytes += modelInput.context.length + (output?.output.length ?? 0);
      if (!output) break;
      last = { ...decided, ...output };
    }
    return decisions;
  }

  /**
   * The next step's decision, made by the activity that just ran the step's tool, from the worker's
   * copy of the thread with the tool's result appended; then, after a read-only choice, the chain. None
   * when the copy cannot follow the thread or anything else reached the run; a failed call is left to
   * the workflow's next step.
   */
  async function decideAfterTool(
    input: { agent: string; callId: string; tool: string; decideNext: DecisionAfterTool },
    result: ToolOutput,
  ): Promise<DecidedAfterTool | undefined> {
    const startedAt = Date.now();
    const agent = findAgent(input.agent);
    const runId = Context.current().info.workflowExecution?.runId;
    const { thread, chain, step } = input.decideNext;
    if (!agent || runId === undefined || !followThread(runId, thread)) return undefined;
    const mirror = mirroredThread(runId, chain.events - 1);
    const runUnchanged = runChangeChecks(deps.runCheckIntervalMs);
    if (!mirror || !(await runUnchanged())) return undefined;
    mirror.appendResult({ callId: input.callId, tool: input.tool, ...result });
    const modelInput = mirror.modelInput(agent);
    const decided = await decideOrFailure(agent, modelInput);
    if ('failure' in decided) return decided.failure && { ...modelInput, failure: decided.failure };
    const output = await readOnlyOutput(agent, decided, { step }, deps.executeTool);
    const chained = output
      ? await chainedDecisions(
          agent,
          { ...modelInput, chain, readOnlyTools: { step } },
          { ...decided, ...output },
          startedAt,
          runUnchanged,
        )
      : [];
    return {
      ...decided,
      ...modelInput,
      ...(output && { readOnlyOutput: output }),
      ...(chained.length > 0 && { chained }),
    };
  }

  async function chooseNextTool(input: ChooseNextToolInput): Promise<ChosenToolCall> {
    const startedAt = Date.now();
    const agent = findAgent(input.agent);
    if (!agent)
      throw toApplicationFailure(new ConfigurationError(`Unknown agent "${input.agent}".`), { nonRetryable: true });
    const decided = await decide(agent, modelInputOf(input));
    const options = 'readOnlyTools' in input ? input.readOnlyTools : undefined;
    const output = await readOnlyOutput(agent, decided, options, deps.executeTool);
    const chained =
      output && 'chain' in input && input.chain
        ? await chainedDecisions(
            agent,
            { ...input, chain: input.chain },
            { ...decided, ...output },
            startedAt,
            runChangeChecks(deps.runCheckIntervalMs),
          )
        : [];
    return {
      ...decided,
      ...(output && { readOnlyOutput: output }),
      ...(chained.length > 0 && { chained }),
    };
  }

  return { chooseNextTool, decideAfterTool };
}
