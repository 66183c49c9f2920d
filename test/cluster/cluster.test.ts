// `npm run test:cluster:bounded`, the bounded form of `npm run test:cluster`: the same scenario on a real
// Temporal cluster (Temporal's server on PostgreSQL with SQL visibility, scripts/cluster/), with 2
// worker processes, a few DeployBot runs and one pipeline, one worker SIGKILLed while release tests
// wait inside it. Nothing here waits on a clock: runs are parked at a gate this test opens.
import { ensurePostgres } from '../../scripts/cluster/postgres';
import { ensureTemporalServer } from '../../scripts/cluster/temporal-server-build';
import { childPids, killProcessGroups } from './child-processes';
import { runClusterScenario, type ClusterScenarioResult } from './cluster-scenario';

const RUNS = 4;
const PIPELINES = 1;
const WORKERS = 2;
/** Each wait for the runs; one of them includes the killed tests' 30 s heartbeat timeout. */
const WAIT_MS = 3 * 60_000;
/** The npm script builds Temporal's server beforehand (provision.cjs --cluster); a bare `npx jest` here (31 min seen under load). */
const BUILD_TIMEOUT_MS = 45 * 60_000;
/** 2 to 3 minutes on a loaded 2-core machine; the internal waits give up well before this. */
const SCENARIO_TIMEOUT_MS = 15 * 60_000;

describe('tfa on a Temporal cluster: server on PostgreSQL, 2 worker processes, one SIGKILLed mid-step', () => {
  const log: string[] = [];
  let childrenBefore: Set<number>;
  let result: ClusterScenarioResult | undefined;
  let childrenAfter: number[] = [];

  beforeAll(async () => {
    // Straight to stderr: jest holds console output until the file ends, and a build takes minutes.
    const progress = (line: string) => void process.stderr.write(`${line}\n`);
    await ensureTemporalServer(progress);
    await ensurePostgres(progress);
  }, BUILD_TIMEOUT_MS);

  beforeAll(async () => {
    childrenBefore = new Set(childPids());
    try {
      result = await runClusterScenario({
        runs: RUNS,
        pipelines: PIPELINES,
        workers: WORKERS,
        waitMs: WAIT_MS,
        log: (line) => log.push(line),
      });
    } catch (error) {
      throw new Error(`${error instanceof Error ? error.message : String(error)}\n${log.join('\n')}`);
    } finally {
      childrenAfter = childPids().filter((pid) => !childrenBefore.has(pid));
    }
  }, SCENARIO_TIMEOUT_MS);

  // What a timed-out scenario left running; nothing when it ended by itself.
  afterAll(() => killProcessGroups(childPids().filter((pid) => !childrenBefore?.has(pid))));

  it('completes every run with each deploy recorded exactly once in each environment', () => {
    const { report } = result!;
    expect(report.problems).toEqual([]);
    expect(report.completed).toEqual({ deploybot: RUNS, pipelines: PIPELINES });
    expect(report.pipelineOutcomes).toEqual({ deployed: PIPELINES });
    for (const environment of Object.values(report.ledger)) {
      expect(environment).toEqual({ entries: RUNS + PIPELINES, duplicated: 0, missing: 0, currentIsLast: true });
    }
  });

  it('runs the release tests of the killed worker again on the other worker', () => {
    const { killed, retried } = result!;
    expect(killed.inFlight).toBeGreaterThan(0);
    expect(retried).toBeGreaterThanOrEqual(killed.inFlight);
  });

  it('stops every process it started: PostgreSQL, the Temporal server, workers and the gateway', () => {
    expect(result).toBeDefined();
    expect(childrenAfter).toEqual([]);
  });
});
