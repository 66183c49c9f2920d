/**
 * One base class; subclasses say who is at fault. The class name is the Temporal
 * failure `type`, so the workflow and the Web UI can tell them apart.
 */
export class TfaError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The operator's setup is wrong (unknown agent, bad credentials, bad config): retrying will not help. */
export class ConfigurationError extends TfaError {}

export const ModelOutputErrorCode = {
  noToolCall: 'no_tool_call',
  multipleToolCalls: 'multiple_tool_calls',
  unknownTool: 'unknown_tool',
  malformedArguments: 'malformed_arguments',
  invalidArguments: 'invalid_arguments',
} as const;
export type ModelOutputErrorCode = (typeof ModelOutputErrorCode)[keyof typeof ModelOutputErrorCode];

/** The model answered, but not with exactly one valid call of a known tool. */
export class ModelOutputError extends TfaError {
  constructor(
    readonly code: ModelOutputErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** The model endpoint is unreachable, rate limited or failing: transient, retried by Temporal. */
export class ModelUnavailableError extends TfaError {}

/** A tool ran and failed; the message goes back to the model. */
export class ToolExecutionError extends TfaError {}
