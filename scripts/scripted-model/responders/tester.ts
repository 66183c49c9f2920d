/**
 * SIMULATED tester "model" for the offline demo (a fixed policy, not an LLM), for the pipeline's
 * "Test release <sha> (ref <ref>): pass sha ..." task; every tool gets the task's SHA:
 *
 *   no list_test_suites result      -> list_test_suites {sha}
 *   a listed suite has no run yet   -> run_test_suite {sha, suite} (in listed order)
 *   every listed suite ran          -> report_test_results {passed, summary}
 *
 * passed is true only when at least one suite ran and every suite's last run has "passed":true.
 */
import { callTool, type ScriptedReply } from '../server';
import { field, objectsStartingWith, stringField, taskText, toolResults } from './rendered-context';

/** The release to test: the first full commit SHA in the task, else the word after "release". */
export function shaToTest(context: string): string {
  const task = taskText(context) ?? '';
  return /\b[0-9a-f]{40}\b/.exec(task)?.[0] ?? /\brelease\s+([A-Za-z0-9._/-]+)/i.exec(task)?.[1] ?? 'unknown';
}

/** Suite names of a list_test_suites result, `[{"suite":...,"command":...}]`, even when cut short. */
export function listedSuites(result: string): string[] {
  const names = objectsStartingWith(result, 'suite')
    .map((object) => stringField(object, 'suite'))
    .filter((name): name is string => name !== undefined);
  return [...new Set(names)];
}

/** The last run_test_suite result of each suite: suite name to passed. */
function suiteOutcomes(context: string): Map<string, boolean> {
  const outcomes = new Map<string, boolean>();
  for (const result of toolResults(context, 'run_test_suite')) {
    const suite = stringField(result, 'suite');
    if (suite !== undefined) outcomes.set(suite, field(result, 'passed') === true);
  }
  return outcomes;
}

export function testVerdict(outcomes: ReadonlyMap<string, boolean>): { passed: boolean; summary: string } {
  const failed = [...outcomes].filter(([, passed]) => !passed).map(([suite]) => suite);
  const ran = outcomes.size;
  const names = failed.length > 0 ? ` (${failed.join(', ')})` : '';
  return {
    passed: ran > 0 && failed.length === 0,
    summary: `${ran} suite(s) ran: ${ran - failed.length} passed, ${failed.length} failed${names}`,
  };
}

/** Picks the tester's next step from the event-log text (see the module comment). */
export function nextTesterStep(context: string): ScriptedReply {
  const sha = shaToTest(context);
  const listed = toolResults(context, 'list_test_suites').at(-1);
  if (listed === undefined) return callTool('list_test_suites', { sha });
  const outcomes = suiteOutcomes(context);
  const next = listedSuites(listed).find((suite) => !outcomes.has(suite));
  if (next !== undefined) return callTool('run_test_suite', { sha, suite: next });
  return callTool('report_test_results', testVerdict(outcomes));
}
