import type { ContextLoader } from '../core/agent';
import { executeTool } from './activities';
import { errorEventFrom } from './failures';
import type { Run } from './run';

/** A loader saves the model a step; one that is slow or failing must not hold the run up for long. */
const CONTEXT_LOADER_ACTIVITY_OPTIONS = {
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumAttempts: 2 },
} as const;

/** The loader's tool output, or why it could not be had (a failed activity; a workflow bug still throws). */
async function load(run: Run, loader: ContextLoader) {
  const input = {
    agent: run.agent.name,
    tool: loader.tool,
    callId: `context-${loader.name}`,
    args: { ...loader.args },
    operationId: `${run.workflowId}/context-${loader.name}`,
  };
  const summary = `context ${loader.name}: ${loader.tool} ${JSON.stringify(loader.args)}`;
  try {
    return await executeTool.executeWithOptions({ ...CONTEXT_LOADER_ACTIVITY_OPTIONS, summary }, [input]);
  } catch (error) {
    const event = errorEventFrom(error, 'tool', { callId: input.callId, tool: loader.tool });
    return { unavailable: event.type === 'error' ? event.message : 'failed' };
  }
}

/**
 * Runs the agent's context loaders side by side and appends one `context_loaded` event each, in the
 * order they are declared, before the first model call. A failed load is a note, not an error: it
 * does not count towards escalation, and the model can still call the tool itself.
 */
export async function loadContext(run: Run): Promise<void> {
  const loaders = run.agent.contextLoaders ?? [];
  const loaded = await Promise.all(loaders.map((loader) => load(run, loader)));
  loaders.forEach((loader, index) => {
    run.thread.append({
      type: 'context_loaded',
      loader: loader.name,
      tool: loader.tool,
      args: { ...loader.args },
      ...loaded[index]!,
    });
  });
}
