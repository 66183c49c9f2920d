import { heartbeat, log } from '@temporalio/activity';
import { MAX_TOOL_OUTPUT_CHARS } from '../core/constants';
import { trimText } from '../core/context';
import { ToolExecutionError } from '../core/errors';
import { toApplicationFailure } from './application-failure';
import { traceToolRun } from './telemetry/gen-ai-spans';
import type { Tracing } from './telemetry/tracing';

/** How often a tool's activity heartbeats while it works (the tool, or the decision after it). */
export const HEARTBEAT_INTERVAL_MS = 5_000;

export interface ExecuteToolInput {
  agent: string;
  tool: string;
  callId: string;
  args: Record<string, unknown>;
  /** Stable across retries of this step: executors use it to do their effect once. */
  operationId: string;
}

export interface ToolOutput {
  /** JSON of the result, trimmed before it enters the thread; the full result is in the worker log. */
  output: string;
  truncated: boolean;
}

export type ToolExecutor = (args: Record<string, unknown>, context: { operationId: string }) => Promise<unknown>;

/** Executors by agent, then by tool name: the deterministic code behind each tool (F1). */
export type ToolExecutors = Readonly<Record<string, Readonly<Record<string, ToolExecutor>>>>;

/** `scrub` removes the worker's secret values from what enters the thread (output and error messages). */
export function createExecuteTool(
  executors: ToolExecutors,
  scrub: (text: string) => string = (text) => text,
  tracing?: Tracing,
) {
  return async function executeTool(input: ExecuteToolInput): Promise<ToolOutput> {
    const executor = executors[input.agent]?.[input.tool];
    if (!executor) {
      throw toApplicationFailure(
        new ToolExecutionError(`No executor for tool ${input.tool} of agent ${input.agent}.`),
        {
          nonRetryable: true,
        },
      );
    }
    let result: unknown;
    // Heartbeats let Temporal notice a dead worker within the heartbeat timeout, not the 15-minute limit.
    const heartbeats = setInterval(() => heartbeat(), HEARTBEAT_INTERVAL_MS);
    try {
      result = await traceToolRun(tracing, { name: input.tool, callId: input.callId }, () =>
        executor(input.args, { operationId: input.operationId }),
      );
    } catch (error) {
      // A ToolExecutionError is final and goes back to the model; anything else may be transient and is retried.
      if (error instanceof ToolExecutionError) {
        throw toApplicationFailure(new ToolExecutionError(scrub(`${input.tool} failed: ${error.message}`)), {
          nonRetryable: true,
        });
      }
      throw error;
    } finally {
      clearInterval(heartbeats);
    }
    const json = scrub(JSON.stringify(result ?? null));
    const { text, truncated } = trimText(json, MAX_TOOL_OUTPUT_CHARS);
    if (truncated)
      log.info('tool output trimmed for the thread', { tool: input.tool, callId: input.callId, output: json });
    return { output: text, truncated };
  };
}
