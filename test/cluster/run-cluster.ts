// `npm run test:cluster`: tfa on a real Temporal cluster (Temporal's server on PostgreSQL, started
// by scripts/cluster/, no Docker) with several worker processes and the HTTP gateway. Starts
// DeployBot runs through the gateway and deploy pipelines through the client, parks every run
// inside its release tests, SIGKILLs the worker holding the most of them, lets the rest finish,
// approves everything through the gateway and checks each run completed with each deploy recorded
// exactly once in the shared release store. Prints what it did and how long each phase took.
// `npm test` runs a smaller form of the same scenario: test/cluster/cluster.test.ts.
//
//   TFA_CLUSTER_RUNS=50 TFA_CLUSTER_PIPELINES=5 TFA_CLUSTER_WORKERS=3 npm run test:cluster
import { runClusterScenario, type ClusterScenarioResult } from './cluster-scenario';

const count = (name: string, fallback: number, least = 1) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < least)
    throw new Error(`${name} must be an integer of at least ${least}, got ${process.env[name]}`);
  return value;
};
const RUNS = count('TFA_CLUSTER_RUNS', 50);
const PIPELINES = count('TFA_CLUSTER_PIPELINES', 5);
const WORKERS = count('TFA_CLUSTER_WORKERS', 3, 2);
/** Each wait for the runs (into their tests, to approval, to their end). */
const WAIT_MS = 5 * 60_000;

const started = Date.now();

function printReport(result: ClusterScenarioResult): void {
  const { report, killed, retried, phases } = result;
  const { completed, ledger } = report;
  console.log(
    [
      '',
      `tfa on a Temporal cluster (server on PostgreSQL): ${RUNS} DeployBot runs, ${PIPELINES} pipelines, ${WORKERS} workers`,
      `  SIGKILLed ${killed.name} with ${killed.inFlight} release tests in flight; ${retried} test attempts ran again on the other workers`,
      `  completed: ${completed.deploybot}/${RUNS} DeployBot runs, ${completed.pipelines}/${PIPELINES} pipelines finished`,
      `  pipeline outcomes: ${JSON.stringify(report.pipelineOutcomes)}`,
      ...Object.entries(ledger).map(
        ([environment, entry]) =>
          `  ${environment}: ${entry.entries} deploys recorded, ${entry.duplicated} commits deployed twice, ${entry.missing} never; current is the last deploy: ${entry.currentIsLast}`,
      ),
      '  phases:',
      ...phases.map(([name, ms]) => `    ${(ms / 1000).toFixed(1).padStart(6)} s  ${name}`),
      `  total ${((Date.now() - started) / 1000).toFixed(1)} s`,
      report.problems.length === 0 ? 'PASS' : `FAIL:\n  ${report.problems.join('\n  ')}`,
      '',
    ].join('\n'),
  );
}

async function main(): Promise<void> {
  console.log(
    `[cluster] ${RUNS} DeployBot runs and ${PIPELINES} pipelines, ${WORKERS} workers; one worker SIGKILLed mid-step`,
  );
  const result = await runClusterScenario({
    runs: RUNS,
    pipelines: PIPELINES,
    workers: WORKERS,
    waitMs: WAIT_MS,
    log: console.log,
  });
  printReport(result);
  if (result.report.problems.length > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(`cluster run failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
