import { createShellGate, type ShellGate } from '../support/shell-gate';
import { eventually } from '../support/workflow-harness';

/**
 * The release test command of the fault suite (test/support/shell-gate.ts): `run_tests` waits until the
 * test opens the gate of the current phase. Once open, the command prints the release's whole
 * environment, as a careless suite would: a secret there must not reach the thread.
 */
export interface TestGate extends Omit<ShellGate, 'entrants'> {
  /** Waits until `count` run_tests attempts are waiting in this phase. */
  waitEntered(phase: string, count: number, timeoutMs: number): Promise<void>;
}

export async function createTestGate(): Promise<TestGate> {
  const gate = await createShellGate({ owner: 'the fault suite', giveUpAfterMs: 5 * 60_000, afterOpen: 'env' });
  return {
    command: gate.command,
    close: gate.close,
    open: gate.open,
    cleanup: gate.cleanup,
    async waitEntered(phase, count, timeoutMs) {
      let last = 0;
      await eventually(
        async () => (last = (await gate.entrants(phase)).length) >= count,
        timeoutMs,
        () => `${last} of ${count} run_tests waiting at gate ${phase}`,
      );
    },
  };
}
