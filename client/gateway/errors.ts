import {
  isGrpcServiceError,
  QueryNotRegisteredError,
  ServiceError,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
import type { z } from 'zod';
import { describeIssues, issuesOf, type Issue } from '../../core/zod-issues';
import { describeError } from '../describe-error';
import { NoDecisionPendingError } from '../runs';

/** Every 4xx/5xx the gateway sends: `{ error: { code, message, issues? } }`. */
export interface ErrorBody {
  error: { code: string; message: string; issues?: Issue[] };
}

/** A request the gateway refuses, with the HTTP status, a snake_case code and what to do about it. */
export class GatewayError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly issues?: Issue[],
  ) {
    super(message);
    this.name = 'GatewayError';
  }

  toBody(): ErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.issues ? { issues: this.issues } : {}) } };
  }
}

/** A route whose secret is not set: 503 `not_configured`, the message naming the setting and saying to restart. */
export function notConfigured(what: string, setting: string): GatewayError {
  return new GatewayError(503, 'not_configured', `${what} are off: set ${setting} and restart`);
}

/** Which part of a request failed its schema. */
export type RequestPart = 'body' | 'query' | 'path';

/** A request part that fails its schema: 400 with every zod issue, path first. */
export function invalidRequest(error: z.ZodError, part: RequestPart): GatewayError {
  return new GatewayError(400, `invalid_${part}`, `invalid ${part}: ${describeIssues(error)}`, issuesOf(error));
}

/** Largest request body accepted; a bigger one is answered 413. */
export const BODY_LIMIT_BYTES = 64 * 1024;

/** Fastify's own client errors (bad JSON, too large, wrong content type), renamed to our codes. */
const FASTIFY_CODES: Record<string, { code: string; fix: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: {
    code: 'body_too_large',
    fix: `send at most ${BODY_LIMIT_BYTES / 1024} KiB (GitHub deliveries: 25 MiB)`,
  },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'invalid_json', fix: 'send valid JSON' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'invalid_json', fix: 'send a JSON body, e.g. {}' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: 'unsupported_media_type', fix: 'send Content-Type: application/json' },
};

function fromFastify(error: { code?: string; statusCode?: number; message: string }): GatewayError | null {
  const known = error.code ? FASTIFY_CODES[error.code] : undefined;
  if (known) return new GatewayError(error.statusCode ?? 400, known.code, `${error.message}: ${known.fix}`);
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
    return new GatewayError(error.statusCode, 'bad_request', error.message);
  }
  return null;
}

/** Temporal's answers that are the caller's business: no such run, a refused decision, a duplicate id. */
function fromTemporal(error: unknown): GatewayError | null {
  if (error instanceof WorkflowNotFoundError) {
    return new GatewayError(
      404,
      'unknown_run',
      `no run "${error.workflowId}" can take this (${error.message}): check the workflow id; GET /runs lists runs`,
    );
  }
  if (error instanceof WorkflowUpdateFailedError) {
    return new GatewayError(409, 'decision_refused', describeError(error.cause ?? error));
  }
  if (error instanceof NoDecisionPendingError) return new GatewayError(409, 'decision_refused', error.message);
  if (error instanceof WorkflowExecutionAlreadyStartedError) {
    return new GatewayError(
      409,
      'run_exists',
      `a run with workflow id ${error.workflowId} already exists: choose another id`,
    );
  }
  if (error instanceof QueryNotRegisteredError) {
    return new GatewayError(409, 'not_an_agent_run', `${error.message}: only agentWorkflow runs have a thread to show`);
  }
  return error instanceof ServiceError ? fromTemporalService(error) : null;
}

/** gRPC status codes (grpc/doc/statuscodes.md) that Temporal uses for these cases. */
const GrpcStatus = { DEADLINE_EXCEEDED: 4, FAILED_PRECONDITION: 9, UNAVAILABLE: 14 } as const;

/** The server answered, but not for the caller's fault: no worker, a stuck run, no server. */
function fromTemporalService(error: ServiceError): GatewayError | null {
  const code = isGrpcServiceError(error.cause) ? error.cause.code : undefined;
  const detail = describeError(error);
  switch (code) {
    case GrpcStatus.DEADLINE_EXCEEDED:
      return new GatewayError(
        504,
        'no_worker_answer',
        `${detail}: is a worker polling the task queue? Start one with npm start or npm run worker`,
      );
    case GrpcStatus.FAILED_PRECONDITION:
      return new GatewayError(
        409,
        'run_not_answering',
        `${detail}: the run's workflow task is failing; open the run in the Web UI to see why`,
      );
    case GrpcStatus.UNAVAILABLE:
      return new GatewayError(
        503,
        'temporal_unavailable',
        `${detail}: is the Temporal server running at TEMPORAL_ADDRESS?`,
      );
    default:
      return null;
  }
}

/** Maps anything thrown by a route to a status and body; unknown errors are 500s that still explain. */
export function toGatewayError(error: unknown): GatewayError {
  if (error instanceof GatewayError) return error;
  const known = fromTemporal(error) ?? fromFastify(error as { code?: string; statusCode?: number; message: string });
  return known ?? new GatewayError(500, 'internal_error', describeError(error));
}
