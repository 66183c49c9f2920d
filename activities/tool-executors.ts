import type { NotificationChannel } from './channels/channel';
import type { ToolExecutor, ToolExecutors } from './execute-tool';
import { createDeploybotExecutors } from './deploybot/executors';
import { createDeploybotResolvers } from './deploybot/resolvers';
import type { ReleaseStore } from './deploybot/release-store';
import type { ListRuns } from './reporter/list-runs';
import type { ToolResolvers } from './resolve-tool-call';
import { createTriageExecutors } from './triage/executors';

/** The alert the notifier agent sends; the same channel carries human notices. */
function createSendNotification(channel: NotificationChannel): ToolExecutor {
  return async (args) => {
    const { severity, title, message } = args as { severity: string; title: string; message: string };
    await channel.send({
      type: 'alert',
      data: { severity, title, message },
      text: `[tfa] ${severity.toUpperCase()}: ${title}\n${message}`,
      commands: [],
    });
    return { sent: true, channel: channel.name };
  };
}

export interface ToolExecutorDependencies {
  releases: ReleaseStore;
  channel: NotificationChannel;
  /** Temporal visibility for the reporter's list_runs (activities/reporter/list-runs.ts); without it the reporter has no executor. */
  listRuns?: ListRuns;
}

/** The deterministic code behind every bundled agent's tools, by agent then tool name (F1). */
export function createToolExecutors(deps: ToolExecutorDependencies): ToolExecutors {
  const release = createDeploybotExecutors(deps.releases);
  const listRuns = deps.listRuns;
  return {
    deploybot: release,
    tester: { list_test_suites: release.list_test_suites!, run_test_suite: release.run_test_suite! },
    deployer: { deploy_to_production: release.deploy_to_production! },
    notifier: { send_notification: createSendNotification(deps.channel) },
    triage: createTriageExecutors(deps.releases),
    ...(listRuns ? { reporter: { list_runs: (args) => listRuns({ hours: args.hours as number }) } } : {}),
  };
}

/** The resolvers of every bundled tool declared `resolvesArgs`, by agent then tool name. */
export function createToolResolvers(releases: ReleaseStore): ToolResolvers {
  const release = createDeploybotResolvers(releases);
  return {
    deploybot: release,
    deployer: { deploy_to_production: release.deploy_to_production! },
  };
}
