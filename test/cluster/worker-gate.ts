import { createShellGate } from '../support/shell-gate';

/** The variable each cluster worker has (passed through to release commands) naming it in the gate's markers. */
export const WORKER_NAME_VARIABLE = 'TFA_CLUSTER_WORKER';

/** The cluster run has one phase: every release test waits until it opens. */
const PHASE = 'cluster';

/**
 * The release test command of the cluster run (test/support/shell-gate.ts): `run_tests` (and a
 * pipeline's `run_test_suite`) waits inside the activity until the gate opens, and leaves a marker
 * naming the worker it runs on. So the run knows which runs are mid-step on which worker when it
 * kills one, without timing.
 */
export interface WorkerGate {
  /** The value for TFA_DEPLOY_TEST_COMMAND. */
  command: string;
  open(): Promise<void>;
  /** How many attempts entered the gate, per worker name. */
  entered(): Promise<Map<string, number>>;
  cleanup(): Promise<void>;
}

export async function createWorkerGate(): Promise<WorkerGate> {
  const gate = await createShellGate({
    owner: 'the cluster run',
    giveUpAfterMs: 10 * 60_000,
    entrant: `\${${WORKER_NAME_VARIABLE}:-unknown}`,
  });
  await gate.close(PHASE);
  return {
    command: gate.command,
    open: () => gate.open(PHASE),
    async entered() {
      const counts = new Map<string, number>();
      for (const worker of await gate.entrants(PHASE)) counts.set(worker, (counts.get(worker) ?? 0) + 1);
      return counts;
    },
    cleanup: gate.cleanup,
  };
}
