import { z } from 'zod';
import type { ToolKind } from './thread';

/** What the model may call: plain data, the same schema for the model's JSON Schema and for validation (F4). */
export interface ToolDefinition<Params extends z.ZodObject = z.ZodObject> {
  readonly name: string;
  readonly description: string;
  readonly parameters: Params;
  readonly kind: ToolKind;
  /**
   * For approval tools whose effect depends on the world (a ref can move): before the approval is
   * asked, the worker resolves the call to exactly what will run (activity `resolveToolCall`, e.g.
   * a ref to a commit SHA); the request shows and the tool receives those pinned arguments.
   */
  readonly resolvesArgs?: boolean;
  /**
   * Reads and changes nothing (list_releases): the model activity that chose it runs it at once,
   * without a round trip of its own (pausing before it would protect nothing). Only for `immediate`
   * tools; tools that act (deploys, rollbacks, test runs) stay activities with heartbeats.
   */
  readonly readOnly?: boolean;
}

const TOOL_NAME = /^[a-z][a-z0-9_]{0,63}$/;

export function defineTool<Params extends z.ZodObject>(tool: ToolDefinition<Params>): ToolDefinition<Params> {
  if (!TOOL_NAME.test(tool.name)) {
    throw new Error(`Tool name "${tool.name}" must be snake_case (a-z, 0-9, _), at most 64 characters.`);
  }
  if (tool.description.trim() === '') {
    throw new Error(`Tool "${tool.name}" needs a description: the model chooses tools by it.`);
  }
  if (tool.readOnly && tool.kind !== 'immediate') {
    throw new Error(`Tool "${tool.name}" is ${tool.kind}: only immediate tools may be readOnly.`);
  }
  return Object.freeze({ ...tool });
}

/** A required, non-blank string. A refinement, not `minLength`, which OpenAI's strict tool schemas refuse. */
export function nonEmptyText() {
  return z.string().refine((text) => text.trim().length > 0, { message: 'must not be empty' });
}
