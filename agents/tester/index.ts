import { z } from 'zod';
import { defineAgent } from '../../core/agent';
import { TestReport } from '../../core/pipeline';
import { definePrompt } from '../../core/prompt';
import { defineTool, nonEmptyText } from '../../core/tools';

export const listTestSuites = defineTool({
  name: 'list_test_suites',
  description: 'List the test suites of the release deployed on staging, with the command each runs.',
  parameters: z.object({}),
  kind: 'immediate',
});

export const runTestSuite = defineTool({
  name: 'run_test_suite',
  description: 'Run one test suite against the release on staging; returns passed, exit code and the output tail.',
  parameters: z.object({ suite: nonEmptyText().describe('A suite name from list_test_suites') }),
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
  description: 'Decides which test suites to run against a staging release, runs them and reports pass/fail.',
  prompt: definePrompt({
    variables: ['agent', 'tools'],
    template: `You are {{agent}}, the test agent of a deployment pipeline. A release is deployed on staging.

Tools: {{tools}}.

List the test suites, run the ones that matter for this change (all of them when unsure), analyse the
results, then call report_test_results. Report passed=true only if every suite you ran passed.
Answer with exactly one tool call.`,
  }),
  tools: [listTestSuites, runTestSuite, reportTestResults],
  maxSteps: 10,
  errorThreshold: 3,
});
