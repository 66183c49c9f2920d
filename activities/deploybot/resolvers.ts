import type { ToolResolver } from '../resolve-tool-call';
import { asToolError } from './executors';
import type { Environment } from '../../agents/environments';
import type { ReleaseStore } from './release-store';

/**
 * What approval tools over the release store will really do, fixed before a human is asked:
 * a deploy names the commit its ref points to now, a rollback the release it leaves and the one it
 * returns to. The request shows these arguments and the executor acts on exactly them.
 */
export function createDeploybotResolvers(store: ReleaseStore): Record<string, ToolResolver> {
  return {
    deploy_to_production: async (args) => {
      const { sha } = await asToolError(() => store.resolveRef({ ref: args.ref as string }));
      return { ...args, sha };
    },
    rollback: async (args) => {
      const plan = await asToolError(() => store.planRollback({ environment: args.environment as Environment }));
      return { ...args, fromSha: plan.fromSha, toSha: plan.toSha };
    },
  };
}
