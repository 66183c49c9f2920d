import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { eventually } from '../support/workflow-harness';

/**
 * The release test command of the fault suite: `run_tests` waits inside the activity until the
 * test opens the gate of the current phase, so a kill lands while runs are mid-step, never on a
 * guess about timing. Each entry leaves a marker the test counts. Once open, the command prints
 * the release's whole environment, as a careless suite would: a secret there must not reach the thread.
 */
export interface TestGate {
  /** The value for TFA_DEPLOY_TEST_COMMAND. */
  command: string;
  /** Starts a phase: runs that start run_tests from now on wait for `open(phase)`. */
  close(phase: string): Promise<void>;
  open(phase: string): Promise<void>;
  /** Waits until `count` run_tests attempts are waiting in this phase. */
  waitEntered(phase: string, count: number, timeoutMs: number): Promise<void>;
  cleanup(): Promise<void>;
}

const GIVE_UP_AFTER_POLLS = 1_200; // 5 minutes at 0.25 s: a gate nobody opens fails its test run instead of hanging

export async function createTestGate(): Promise<TestGate> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tfa-gate-'));
  const script = path.join(dir, 'gate.sh');
  await writeFile(
    script,
    `#!/bin/sh
phase=$(cat '${dir}/phase')
touch "${dir}/entered-$phase-$$"
polls=0
while [ ! -e "${dir}/open-$phase" ]; do
  polls=$((polls + 1))
  if [ "$polls" -gt ${GIVE_UP_AFTER_POLLS} ]; then echo "the fault suite never opened gate $phase" >&2; exit 1; fi
  sleep 0.25
done
echo "all 3 checks passed"
env
`,
  );
  const entered = async (phase: string) =>
    (await readdir(dir)).filter((name) => name.startsWith(`entered-${phase}-`)).length;
  return {
    command: `sh '${script}'`,
    close: (phase) => writeFile(path.join(dir, 'phase'), phase),
    open: (phase) => writeFile(path.join(dir, `open-${phase}`), ''),
    async waitEntered(phase, count, timeoutMs) {
      let last = 0;
      await eventually(
        async () => (last = await entered(phase)) >= count,
        timeoutMs,
        () => `${last} of ${count} run_tests waiting at gate ${phase}`,
      );
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}
