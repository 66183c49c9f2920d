import { z } from 'zod';
import { defineAgent } from '../../core/agent';
import { TestReport } from '../pipeline';
import { definePrompt } from '../../core/prompt';
import { defineTool, nonEmptyText } from '../../core/tools';

const Sha = nonEmptyText().describe('The full commit SHA of the release to test, exactly as your task gives it');

export const listTestSuites = defineTool({
  name: 'list_test_suites',
  description: 'List the test suites of the release of a commit, with the command each runs.',
  parameters: z.object({ sha: Sha }),
  kind: 'immediate',
  readOnly: true,
});

export const runTestSuite = defineTool({
  name: 'run_test_suite',
  description:
    'Run one test suite against the release of a commit; the run is recorded for that SHA. Returns passed, exit code and the output tail.',
  parameters: z.object({ sha: Sha, suite: nonEmptyText().describe('A suite name from list_test_suites') }),
  kind: 'immediate',
});

export const reportTestResults = defineTool({
  name: 'report_test_results',
  description: 'Finish with your verdict on the release after analysing the suites you ran.',
  parameters: TestReport,
  kind: 'terminal',
});

export const tester = defineAgent({
  name: 'tester',
  description:
    'Decides which test suites to run against the release of a given commit, runs them and reports pass/fail.',
  prompt: definePrompt({
    variables: ['agent', 'tools'],
    template: `You are {{agent}}, the test agent of a deployment pipeline. Your task names the commit SHA of a release.

Tools: {{tools}}.

List the test suites of that SHA, run the ones that matter for this change (all of them when unsure),
always passing the SHA from your task, analyse the results, then call report_test_results. Report
passed=true only if every suite you ran passed. The pipeline checks your report against the recorded runs.
Answer with exactly one tool call.`,
  }),
  tools: [listTestSuites, runTestSuite, reportTestResults],
  maxSteps: 10,
  errorThreshold: 3,
});
