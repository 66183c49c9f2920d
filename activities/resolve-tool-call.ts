import { ToolExecutionError } from '../core/errors';
import { toApplicationFailure } from './application-failure';

export interface ResolveToolCallInput {
  agent: string;
  tool: string;
  /** The model's arguments, as the tool call recorded them. */
  args: Record<string, unknown>;
}

/** Turns a call's arguments into the exact ones that will run (e.g. a ref into a commit SHA); fails with a ToolExecutionError. */
export type ToolResolver = (args: Record<string, unknown>) => Promise<Record<string, unknown>>;

/** Resolvers by agent, then by tool name; tools declared `resolvesArgs` need one. */
export type ToolResolvers = Readonly<Record<string, Readonly<Record<string, ToolResolver>>>>;

/**
 * The activity run before an approval is asked: returns the pinned arguments the request shows and
 * the tool receives. A ToolExecutionError (an unknown ref, nothing to roll back) goes back to the
 * model and no approval is asked; anything else may be transient and is retried.
 */
export function createResolveToolCall(resolvers: ToolResolvers) {
  return async function resolveToolCall(input: ResolveToolCallInput): Promise<Record<string, unknown>> {
    const resolver = resolvers[input.agent]?.[input.tool];
    if (!resolver) {
      const error = new ToolExecutionError(
        `No resolver for tool ${input.tool} of agent ${input.agent}; the worker cannot pin what it would run.`,
      );
      throw toApplicationFailure(error, { nonRetryable: true });
    }
    try {
      return await resolver(input.args);
    } catch (error) {
      if (error instanceof ToolExecutionError) {
        throw toApplicationFailure(new ToolExecutionError(`${input.tool} failed: ${error.message}`), {
          nonRetryable: true,
        });
      }
      throw error;
    }
  };
}
