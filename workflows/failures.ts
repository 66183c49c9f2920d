import { ActivityFailure, ApplicationFailure, TemporalFailure } from '@temporalio/workflow';
import { MAX_ERROR_STACK_CHARS } from '../core/constants';
import type { NewEvent } from '../core/thread';
import { ModelCallUsage } from '../core/usage';

/** An activity's failure as a compact error event (F9): type, code, message, trimmed stack. */
export function errorEventFrom(
  error: unknown,
  source: 'model' | 'tool' | 'notify',
  call?: { callId: string; tool: string },
): NewEvent {
  // A local activity's failure arrives as its ApplicationFailure itself, not wrapped in an ActivityFailure.
  const local = error instanceof ApplicationFailure;
  if (!(error instanceof ActivityFailure) && !local) throw error; // a workflow bug: let Temporal surface it
  const cause = local ? error : error.cause;
  const application = cause instanceof ApplicationFailure ? cause : undefined;
  const details = application?.details?.[0] as { code?: string; usage?: unknown } | undefined;
  const usage = ModelCallUsage.safeParse(details?.usage);
  return {
    type: 'error',
    source,
    errorType: application?.type ?? cause?.name ?? 'ActivityFailure',
    code: details?.code,
    message: cause instanceof TemporalFailure ? cause.message : (error as Error).message,
    stack: cause?.stack?.slice(0, MAX_ERROR_STACK_CHARS),
    callId: call?.callId,
    tool: call?.tool,
    ...(usage.success && { usage: usage.data }),
  };
}
