import { heartbeat } from '@temporalio/activity';
import type { DecidedAfterTool, DecisionAfterTool } from './choose-next-tool';
import { HEARTBEAT_INTERVAL_MS, type ExecuteToolInput, type ToolOutput } from './execute-tool';

export type ExecuteToolThenDecideInput = ExecuteToolInput & { decideNext?: DecisionAfterTool };
export type ToolOutputThenDecision = ToolOutput & { next?: DecidedAfterTool };

/**
 * The tool activity: runs the tool, then, when the workflow asks (decideNext), decides the next step
 * in the same activity, so a step that acts costs one round trip. The tool's result never waits on
 * the model: a failed decision is simply left out, and the workflow's next step asks the model itself.
 */
export function withDecisionAfterTool(
  executeTool: (input: ExecuteToolInput) => Promise<ToolOutput>,
  decideAfterTool: (
    input: ExecuteToolInput & { decideNext: DecisionAfterTool },
    result: ToolOutput,
  ) => Promise<DecidedAfterTool | undefined>,
) {
  return async function executeToolThenDecide(input: ExecuteToolThenDecideInput): Promise<ToolOutputThenDecision> {
    const result = await executeTool(input);
    const { decideNext } = input;
    if (!decideNext) return result;
    // The model call may take longer than the tool's heartbeat timeout.
    const heartbeats = setInterval(() => heartbeat(), HEARTBEAT_INTERVAL_MS);
    try {
      const next = await decideAfterTool({ ...input, decideNext }, result).catch(() => undefined);
      return next ? { ...result, next } : result;
    } finally {
      clearInterval(heartbeats);
    }
  };
}
