// `npx tsx test/upgrade/on-cluster.ts`: the upgrade scenario of upgrade.test.ts on the PostgreSQL
// cluster of scripts/cluster/ (Temporal's own server, SQL visibility) instead of the dev server.
// Prints what happened; exits 1 if the run did not finish on N+1 as it does on the dev server.
import '../support/quiet-runtime'; // errors only: the workers' start and stop are expected
import { startCluster } from '../../scripts/cluster/start-cluster';
import { FINISHED_ON, FINISHED_ON_PATCH, NEXT_REVISION, STARTED_ON_PATCH } from './revision-change';
import {
  bundleRevision,
  createUpgradeEnvironment,
  patchMarked,
  signalledAt,
  upgradeWaitingRun,
} from './waiting-run-upgrade';

async function main(): Promise<void> {
  const started = Date.now();
  const [revisionN, revisionNext] = await Promise.all([
    bundleRevision(require.resolve('../../workflows')),
    bundleRevision(require.resolve('./next-workflows')),
  ]);
  const cluster = await startCluster();
  console.log(`cluster on PostgreSQL at ${cluster.address}, namespace "${cluster.namespace}"`);
  const environment = await createUpgradeEnvironment(cluster.address, cluster.namespace);
  try {
    const upgrade = await upgradeWaitingRun(environment, { revisionN, revisionNext });
    const patches = upgrade.history.flatMap((event, index) => {
      const id = patchMarked(event);
      return id === STARTED_ON_PATCH || id === FINISHED_ON_PATCH ? [`${id} at event ${index + 1}`] : [];
    });
    const checks = {
      completed: upgrade.result.status === 'completed',
      'history on N kept': upgrade.historyOnN.every(
        (event, index) => upgrade.history[index]?.eventType === event.eventType,
      ),
      'N+1 marker only after the approval':
        patches.length === 1 &&
        patches[0]!.startsWith(FINISHED_ON_PATCH) &&
        Number(patches[0]!.split(' ').pop()) > signalledAt(upgrade.history) + 1,
      'memo from N+1': upgrade.memo[FINISHED_ON] === NEXT_REVISION,
    };
    console.log(
      [
        `run ${upgrade.handle.workflowId}: ${upgrade.result.status}, ${upgrade.history.length} events; ${upgrade.historyOnN.length} written on N,`,
        `approval signalled at event ${signalledAt(upgrade.history) + 1}; N+1's patch markers: ${patches.join(', ') || 'none'}; memo ${JSON.stringify(upgrade.memo)}`,
        ...Object.entries(checks).map(([check, passed]) => `  ${passed ? 'ok  ' : 'FAIL'} ${check}`),
        `${((Date.now() - started) / 1000).toFixed(0)} s in all`,
      ].join('\n'),
    );
    if (Object.values(checks).includes(false)) process.exitCode = 1;
  } finally {
    await environment.close();
    await cluster.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(1);
});
