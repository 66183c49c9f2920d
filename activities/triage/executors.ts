import { MAX_TOOL_OUTPUT_CHARS } from '../../core/constants';
import { ToolExecutionError } from '../../core/errors';
import { asToolError } from '../deploybot/executors';
import type { Environment } from '../../agents/environments';
import type { ReleaseStore, TestRunRecord } from '../deploybot/release-store';
import type { ToolExecutor } from '../execute-tool';

/** The triage agent's reading tools over the test runs the release store recorded. */
export function createTriageExecutors(store: ReleaseStore): Record<string, ToolExecutor> {
  const environment = (args: Record<string, unknown>) => args.environment as Environment;
  return {
    list_test_runs: async (args) => ({
      environment: environment(args),
      runs: await asToolError(() => store.listTestRuns({ environment: environment(args) })),
    }),
    read_test_output: async (args) => {
      const suite = args.suite as string;
      const run = await asToolError(() => store.lastTestRun({ environment: environment(args), suite }));
      if (run === null) {
        throw new ToolExecutionError(
          `No test run recorded for suite "${suite}" in ${environment(args)}. Call list_test_runs to see which suites ran there.`,
        );
      }
      return fitToThread({ environment: environment(args), ...run });
    },
  };
}

/**
 * The thread keeps the head of a tool result (MAX_TOOL_OUTPUT_CHARS), but a failure shows at the
 * end of the output: keep the run's facts whole and cut the output from its start until it fits.
 */
export function fitToThread(run: TestRunRecord & { environment: Environment }, limit = MAX_TOOL_OUTPUT_CHARS) {
  const { schemaVersion: _schemaVersion, output, ...facts } = run;
  const shownFrom = (start: number) =>
    start === 0 ? output : `[... ${start} earlier chars cut ...]\n${output.slice(start)}`;
  const fits = (start: number) => JSON.stringify({ ...facts, output: shownFrom(start) }).length <= limit;
  // The smallest cut that fits, by bisection: escaping makes JSON length differ from the output's.
  let low = 0;
  let high = output.length;
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    if (fits(middle)) high = middle;
    else low = middle + 1;
  }
  return { ...facts, output: shownFrom(low) };
}
