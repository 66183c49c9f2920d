import { readlink } from 'node:fs/promises';
import path from 'node:path';
import { readHistory } from '../../activities/deploybot/release-history';
import { layoutFor } from '../../activities/deploybot/release-layout';
import { Environment } from '../../agents/environments';
import type { DeployFixture } from '../support/deploy-fixture';
import type { ClusterRuns } from './cluster-runs';

export type { ClusterRuns } from './cluster-runs';

export interface ClusterReport {
  completed: { deploybot: number; pipelines: number };
  /** Pipeline outcomes by name. */
  pipelineOutcomes: Record<string, number>;
  /** Deploy entries in each environment's ledger (history.jsonl), and how many SHAs were deployed more than once or never. */
  ledger: Record<Environment, { entries: number; duplicated: number; missing: number; currentIsLast: boolean }>;
  problems: string[];
}

/** How many times each SHA was switched to by a deploy in `environment`. */
async function deployCounts(
  root: string,
  environment: string,
): Promise<{ counts: Map<string, number>; entries: number; lastSha: string | undefined }> {
  const history = await readHistory(layoutFor(root, environment).historyFile);
  const counts = new Map<string, number>();
  for (const entry of history) if (entry.kind === 'deploy') counts.set(entry.sha, (counts.get(entry.sha) ?? 0) + 1);
  return { counts, entries: history.length, lastSha: history.at(-1)?.sha };
}

/**
 * A DeployBot run completed; a pipeline finished with its release deployed (decided from its deployer's
 * own ledger entries, so another run's later deploy does not change it).
 */
function completedRun(result: unknown, kind: 'deploybot' | 'pipeline'): boolean {
  const value = result as { status?: string; stage?: string; outcome?: string } | undefined;
  if (kind === 'deploybot') return value?.status === 'completed';
  return value?.stage === 'finished' && value.outcome === 'deployed';
}

/**
 * Every run completed (a pipeline: outcome `deployed`), each run's commit is in each environment's
 * ledger exactly once, and each environment's `current` is the ledger's last entry.
 */
export async function checkRuns(options: {
  fixture: DeployFixture;
  runs: ClusterRuns;
  results: Map<string, unknown>;
  shas: Map<string, string>;
}): Promise<ClusterReport> {
  const { fixture, runs, results, shas } = options;
  const problems: string[] = [];
  const completed = { deploybot: 0, pipelines: 0 };
  const pipelineOutcomes: Record<string, number> = {};
  for (const run of runs.pipelines) {
    const outcome = String((results.get(run.workflowId) as { outcome?: string } | undefined)?.outcome);
    pipelineOutcomes[outcome] = (pipelineOutcomes[outcome] ?? 0) + 1;
  }
  for (const [kind, list] of [
    ['deploybot', runs.deploybot],
    ['pipeline', runs.pipelines],
  ] as const) {
    for (const run of list) {
      const result = results.get(run.workflowId);
      if (completedRun(result, kind)) completed[kind === 'deploybot' ? 'deploybot' : 'pipelines'] += 1;
      else problems.push(`${run.workflowId} did not complete: ${JSON.stringify(result).slice(0, 300)}`);
    }
  }
  const ledger = {} as ClusterReport['ledger'];
  for (const environment of Environment.options) {
    const { counts, entries, lastSha } = await deployCounts(fixture.root, environment);
    const perRun = [...runs.deploybot, ...runs.pipelines].map((run) => ({
      run,
      deploys: counts.get(shas.get(run.branch)!) ?? 0,
    }));
    for (const { run, deploys } of perRun.filter(({ deploys }) => deploys !== 1))
      problems.push(`${run.workflowId}: ${deploys} deploys to ${environment}`);
    const current = await readlink(layoutFor(fixture.root, environment).currentLink).then(
      (target) => path.basename(target),
      () => undefined,
    );
    const currentIsLast = current !== undefined && current === lastSha;
    if (!currentIsLast) problems.push(`${environment}: current is ${current}, the ledger's last entry ${lastSha}`);
    ledger[environment] = {
      entries,
      duplicated: perRun.filter(({ deploys }) => deploys > 1).length,
      missing: perRun.filter(({ deploys }) => deploys === 0).length,
      currentIsLast,
    };
  }
  return { completed, pipelineOutcomes, ledger, problems };
}
