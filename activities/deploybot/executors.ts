import { ToolExecutionError } from '../../core/errors';
import type { ToolExecutor } from '../execute-tool';
import { ReleaseStoreError, type Environment, type ReleaseStore } from './release-store';

/** Release-store errors are the tool's answer to the model, not a crash. */
export function asToolError<T>(work: () => Promise<T>): Promise<T> {
  return work().catch((error: unknown) => {
    throw error instanceof ReleaseStoreError ? new ToolExecutionError(error.message) : error;
  });
}

/** Tools over the local release store, shared by DeployBot and the pipeline's agents. */
export function createDeploybotExecutors(store: ReleaseStore): Record<string, ToolExecutor> {
  const environment = (args: Record<string, unknown>) => args.environment as Environment;
  const ref = (args: Record<string, unknown>) => args.ref as string;
  return {
    deploy_to_staging: (args, { operationId }) =>
      asToolError(() => store.deploy({ environment: 'staging', ref: ref(args), operationId })),
    deploy_to_production: (args, { operationId }) =>
      asToolError(() => store.deploy({ environment: 'production', ref: ref(args), operationId })),
    run_tests: (args) => asToolError(() => store.runTests({ environment: environment(args) })),
    list_releases: (args) => asToolError(() => store.listReleases({ environment: environment(args) })),
    rollback: (args, { operationId }) => asToolError(() => store.rollback({ environment: environment(args), operationId })),
    list_test_suites: () => asToolError(() => store.listTestSuites({ environment: 'staging' })),
    run_test_suite: (args) => asToolError(() => store.runTests({ environment: 'staging', suite: args.suite as string })),
  };
}
