import { ToolExecutionError } from '../../core/errors';
import type { ToolExecutor } from '../execute-tool';
import type { Environment } from '../../agents/environments';
import { ReleaseStoreError, type ReleaseStore } from './release-store';

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
  // Present when the call was pinned before approval (resolvers.ts); runs started before pinning lack them.
  const pinned = (args: Record<string, unknown>, name: string) =>
    typeof args[name] === 'string' ? (args[name] as string) : undefined;
  return {
    deploy_to_staging: (args, { operationId }) =>
      asToolError(() => store.deploy({ environment: 'staging', ref: ref(args), operationId })),
    deploy_to_production: (args, { operationId }) =>
      asToolError(() =>
        store.deploy({ environment: 'production', ref: ref(args), sha: pinned(args, 'sha'), operationId }),
      ),
    run_tests: (args) => asToolError(() => store.runTests({ environment: environment(args) })),
    list_releases: (args) => asToolError(() => store.listReleases({ environment: environment(args) })),
    rollback: (args, { operationId }) =>
      asToolError(() =>
        store.rollback({
          environment: environment(args),
          fromSha: pinned(args, 'fromSha'),
          toSha: pinned(args, 'toSha'),
          operationId,
        }),
      ),
    list_test_suites: (args) => asToolError(() => store.listTestSuites({ sha: args.sha as string })),
    run_test_suite: (args) =>
      asToolError(() => store.testRelease({ sha: args.sha as string, suite: args.suite as string })),
  };
}
