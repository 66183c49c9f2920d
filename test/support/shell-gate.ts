import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** One poll every 0.25 s. */
const POLL_SECONDS = 0.25;

export interface ShellGateOptions {
  /** Who opens the gate, for the message of a gate left closed: e.g. `the fault suite`. */
  owner: string;
  /** How long a waiting command polls before it fails, so a gate nobody opens fails its runs instead of hanging. */
  giveUpAfterMs: number;
  /** A shell word naming who entered, e.g. `${TFA_CLUSTER_WORKER:-unknown}`; default `-`. */
  entrant?: string;
  /** Shell lines run once the gate opens, after the passing verdict. */
  afterOpen?: string;
}

/**
 * A release test command (TFA_DEPLOY_TEST_COMMAND) that waits inside the activity until the test opens
 * the gate of the current phase, so a kill lands while runs are mid-step, never on a guess about timing.
 * Each entry leaves a marker naming its phase and entrant; once open it prints a passing verdict.
 */
export interface ShellGate {
  /** The value for TFA_DEPLOY_TEST_COMMAND. */
  command: string;
  /** Starts a phase: commands that start from now on wait for `open(phase)`. */
  close(phase: string): Promise<void>;
  open(phase: string): Promise<void>;
  /** Who entered in `phase`, one entry per command that entered (the `entrant` word of each). */
  entrants(phase: string): Promise<string[]>;
  cleanup(): Promise<void>;
}

export async function createShellGate(options: ShellGateOptions): Promise<ShellGate> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tfa-gate-'));
  const script = path.join(dir, 'gate.sh');
  const giveUpAfterPolls = Math.ceil(options.giveUpAfterMs / 1000 / POLL_SECONDS);
  await writeFile(
    script,
    `#!/bin/sh
phase=$(cat '${dir}/phase')
mkdir -p "${dir}/entered-$phase"
touch "${dir}/entered-$phase/${options.entrant ?? '-'}-$$"
polls=0
while [ ! -e "${dir}/open-$phase" ]; do
  if [ ! -d '${dir}' ]; then echo "${options.owner} ended without opening gate $phase" >&2; exit 1; fi
  polls=$((polls + 1))
  if [ "$polls" -gt ${giveUpAfterPolls} ]; then echo "${options.owner} never opened gate $phase" >&2; exit 1; fi
  sleep ${POLL_SECONDS}
done
echo "all 3 checks passed"
${options.afterOpen ?? ''}
`,
  );
  return {
    command: `sh '${script}'`,
    close: (phase) => writeFile(path.join(dir, 'phase'), phase),
    open: (phase) => writeFile(path.join(dir, `open-${phase}`), ''),
    async entrants(phase) {
      const markers = await readdir(path.join(dir, `entered-${phase}`)).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return []; // nobody entered this phase yet
        throw error;
      });
      return markers.map((marker) => marker.replace(/-\d+$/, ''));
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}
