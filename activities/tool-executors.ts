import type { NotificationChannel } from './channels/channel';
import type { ToolExecutor, ToolExecutors } from './execute-tool';
import { createDeploybotExecutors } from './deploybot/executors';
import type { ReleaseStore } from './deploybot/release-store';

/** The alert the notifier agent sends; the same channel carries human notices. */
function createSendNotification(channel: NotificationChannel): ToolExecutor {
  return async (args) => {
    const { severity, title, message } = args as { severity: string; title: string; message: string };
    await channel.send({ type: 'alert', data: { severity, title, message }, text: `[tfa] ${severity.toUpperCase()}: ${title}\n${message}`, commands: [] });
    return { sent: true, channel: channel.name };
  };
}

/** The deterministic code behind every bundled agent's tools, by agent then tool name (F1). */
export function createToolExecutors(deps: { releases: ReleaseStore; channel: NotificationChannel }): ToolExecutors {
  const release = createDeploybotExecutors(deps.releases);
  return {
    deploybot: release,
    tester: { list_test_suites: release.list_test_suites!, run_test_suite: release.run_test_suite! },
    deployer: { deploy_to_production: release.deploy_to_production! },
    notifier: { send_notification: createSendNotification(deps.channel) },
  };
}
