import { ServiceError, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { GatewayError, toGatewayError } from '../../client/gateway/errors';
import { NoDecisionPendingError } from '../../client/runs';

function grpcError(code: number, details: string): Error {
  return Object.assign(new Error(`${code} ${details}`), { code, details, metadata: {} });
}

describe('toGatewayError', () => {
  it('passes a GatewayError through', () => {
    const refused = new GatewayError(418, 'teapot', 'short and stout');
    expect(toGatewayError(refused)).toBe(refused);
  });

  it("maps Temporal answers that are the caller's business to 404 and 409", () => {
    expect(toGatewayError(new WorkflowNotFoundError('workflow not found for ID: x', 'x', undefined))).toMatchObject({
      statusCode: 404,
      code: 'unknown_run',
      message: expect.stringContaining('no run "x"'),
    });
    const refusal = ApplicationFailure.nonRetryable('request r1 was already decided', 'DecisionRefused');
    expect(toGatewayError(new WorkflowUpdateFailedError('Workflow Update failed', refusal))).toMatchObject({
      statusCode: 409,
      code: 'decision_refused',
      message: 'request r1 was already decided',
    });
  });

  it('refuses a decision for a pipeline with no child waiting as a 409, like a decision the run refuses', () => {
    expect(
      toGatewayError(
        new NoDecisionPendingError('deploy pipeline p has no child waiting for a decision (stage: finished)'),
      ),
    ).toMatchObject({
      statusCode: 409,
      code: 'decision_refused',
      message: 'deploy pipeline p has no child waiting for a decision (stage: finished)',
    });
  });

  it('says what to check when no worker answers, a run is stuck or the server is away', () => {
    const query = (code: number) =>
      toGatewayError(new ServiceError('Failed to query Workflow', { cause: grpcError(code, 'detail') }));
    expect(query(4)).toMatchObject({
      statusCode: 504,
      code: 'no_worker_answer',
      message: expect.stringContaining('npm run worker'),
    });
    expect(query(9)).toMatchObject({
      statusCode: 409,
      code: 'run_not_answering',
      message: expect.stringContaining('Web UI'),
    });
    expect(query(14)).toMatchObject({
      statusCode: 503,
      code: 'temporal_unavailable',
      message: expect.stringContaining('TEMPORAL_ADDRESS'),
    });
  });

  it('keeps the message of anything else, as a 500', () => {
    expect(toGatewayError(new Error('boom'))).toMatchObject({
      statusCode: 500,
      code: 'internal_error',
      message: 'boom',
    });
    expect(toGatewayError(new GatewayError(400, 'invalid_body', 'bad', [])).toBody()).toEqual({
      error: { code: 'invalid_body', message: 'bad', issues: [] },
    });
  });
});
