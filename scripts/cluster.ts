// `npm run cluster`: a Temporal cluster on PostgreSQL on this machine, without Docker (Temporal's
// own server built from its Go module, PostgreSQL from Debian). Runs until Ctrl-C, then stops
// both and removes the database (TFA_CLUSTER_KEEP=1 keeps it and the logs).
import { startCluster } from './cluster/start-cluster';

async function main(): Promise<void> {
  // Listening from the start: a Ctrl-C during start-up stops what has started once it is up.
  // `on`, not `once`: tsx relays the terminal's Ctrl-C again, which must not kill us mid-stop.
  const stopRequested = new Promise<void>((resolve) => {
    process.on('SIGINT', () => resolve());
    process.on('SIGTERM', () => resolve());
  });
  const cluster = await startCluster({ keep: process.env.TFA_CLUSTER_KEEP === '1' });
  const { address, namespace } = cluster;
  console.log(
    [
      `Temporal cluster on PostgreSQL: ${address}, namespace "${namespace}" (started in ${Object.entries(
        cluster.timings,
      )
        .map(([phase, ms]) => `${phase} ${ms} ms`)
        .join(', ')}).`,
      `Logs and data: ${cluster.dir}`,
      'Workers and clients, in other terminals:',
      `  TEMPORAL_ADDRESS=${address} npm run worker        # as many as you like`,
      `  TEMPORAL_ADDRESS=${address} npx tfa launch deploybot deploy main to staging`,
      `  ${cluster.temporalCli} workflow list --address ${address}`,
      'Ctrl-C stops the server and the database.',
    ].join('\n'),
  );
  await stopRequested;
  await cluster.stop();
}

main().catch((error: unknown) => {
  console.error(`cluster failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
