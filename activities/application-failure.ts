import { ApplicationFailure } from '@temporalio/common';
import { TfaError } from '../core/errors';

/** Turns our error into a Temporal failure whose `type` is the class name. */
export function toApplicationFailure(
  error: TfaError,
  options: { nonRetryable: boolean; details?: unknown[] },
): ApplicationFailure {
  return ApplicationFailure.create({
    type: error.name,
    message: error.message,
    nonRetryable: options.nonRetryable,
    details: options.details,
    cause: error,
  });
}
