/**
 * SIMULATED triage "model" for the offline demo (a fixed policy, not an LLM). Always staging:
 *
 *   no list_test_runs result       -> list_test_runs {environment: "staging"}
 *   no run has "passed":false      -> draft_issue saying nothing failed
 *   no read_test_output result     -> read_test_output {staging, the first failed suite}
 *   otherwise                      -> draft_issue {title, intro + first 1000 chars of the output, ["test-failure"]}
 */
import { callTool, type ScriptedReply } from '../server';
import { field, objectsStartingWith, stringField, toolResults } from './rendered-context';

const ENVIRONMENT = 'staging';
/** Characters of the failing suite's output quoted in the issue body. */
export const QUOTED_OUTPUT_CHARS = 1000;

interface FailedRun {
  suite: string;
  sha?: string;
  exitCode?: unknown;
}

/** The first run of a list_test_runs result (`{"environment":...,"runs":[{"suite":...}]}`) with "passed":false. */
export function firstFailedRun(result: string): FailedRun | undefined {
  const failed = objectsStartingWith(result, 'suite').find(
    (run) => field(run, 'passed') === false && stringField(run, 'suite'),
  );
  if (failed === undefined) return undefined;
  return { suite: stringField(failed, 'suite')!, sha: stringField(failed, 'sha'), exitCode: field(failed, 'exitCode') };
}

/** The `output` of a read_test_output result; the whole result text when it cannot be read. */
export function testOutput(result: string): string {
  try {
    const parsed: unknown = JSON.parse(result);
    if (typeof parsed === 'object' && parsed !== null && typeof (parsed as { output?: unknown }).output === 'string') {
      return (parsed as { output: string }).output;
    }
  } catch {
    // Cut or elided: fall back to the field, then to the text itself.
  }
  return stringField(result, 'output') ?? result;
}

function failureIssue(run: FailedRun, output: string): Record<string, unknown> {
  const release = run.sha === undefined ? 'the current release' : `release ${run.sha}`;
  const intro =
    `Suite ${run.suite} failed on ${ENVIRONMENT} for ${release} (exit code ${String(run.exitCode ?? 'unknown')}). ` +
    'Drafted by the scripted demo model (simulated, not an LLM), from read_test_output.';
  const quoted = output.slice(0, QUOTED_OUTPUT_CHARS);
  return {
    title: `Test suite ${run.suite} fails on ${ENVIRONMENT}`,
    body: `${intro}\n\nFirst ${quoted.length} characters of the output:\n\n\`\`\`\n${quoted}\n\`\`\``,
    labels: ['test-failure'],
  };
}

function noFailureIssue(listed: string): Record<string, unknown> {
  const runs = objectsStartingWith(listed, 'suite').length;
  return {
    title: `No failing test suite on ${ENVIRONMENT}`,
    body:
      `list_test_runs shows no failed suite on ${ENVIRONMENT} (${runs} run(s) listed), so there is nothing to triage. ` +
      'Drafted by the scripted demo model (simulated, not an LLM).',
    labels: [],
  };
}

/** Picks the triage agent's next step from the event-log text (see the module comment). */
export function nextTriageStep(context: string): ScriptedReply {
  const listed = toolResults(context, 'list_test_runs').at(-1);
  if (listed === undefined) return callTool('list_test_runs', { environment: ENVIRONMENT });
  const failed = firstFailedRun(listed);
  if (failed === undefined) return callTool('draft_issue', noFailureIssue(listed));
  const output = toolResults(context, 'read_test_output').at(-1);
  if (output === undefined) return callTool('read_test_output', { environment: ENVIRONMENT, suite: failed.suite });
  return callTool('draft_issue', failureIssue(failed, testOutput(output)));
}
