import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** The variable each cluster worker has (passed through to release commands) naming it in the gate's markers. */
export const WORKER_NAME_VARIABLE = 'TFA_CLUSTER_WORKER';

const GIVE_UP_AFTER_POLLS = 2_400; // 10 minutes at 0.25 s: a gate nobody opens fails its runs instead of hanging

/**
 * The release test command of the cluster run: `run_tests` (and a pipeline's `run_test_suite`)
 * waits inside the activity until the gate opens, and leaves a marker naming the worker it runs
 * on. So the run knows which runs are mid-step on which worker when it kills one, without timing.
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
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tfa-cluster-gate-'));
  const script = path.join(dir, 'gate.sh');
  await writeFile(
    script,
    `#!/bin/sh
touch "${dir}/entered-\${${WORKER_NAME_VARIABLE}:-unknown}-$$"
polls=0
while [ ! -e "${dir}/open" ]; do
  if [ ! -d "${dir}" ]; then echo "the cluster run ended without opening the gate" >&2; exit 1; fi
  polls=$((polls + 1))
  if [ "$polls" -gt ${GIVE_UP_AFTER_POLLS} ]; then echo "the cluster run never opened the gate" >&2; exit 1; fi
  sleep 0.25
done
echo "all 3 checks passed"
`,
  );
  return {
    command: `sh '${script}'`,
    open: () => writeFile(path.join(dir, 'open'), ''),
    async entered() {
      const counts = new Map<string, number>();
      for (const name of await readdir(dir)) {
        const worker = /^entered-(.+)-\d+$/.exec(name)?.[1];
        if (worker) counts.set(worker, (counts.get(worker) ?? 0) + 1);
      }
      return counts;
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}
