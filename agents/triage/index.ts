import { z } from 'zod';
import { defineAgent } from '../../core/agent';
import { definePrompt } from '../../core/prompt';
import { defineTool, nonEmptyText } from '../../core/tools';
import { Environment } from '../environments';

const EnvironmentArg = Environment.describe('Where the tests ran');

export const listTestRuns = defineTool({
  name: 'list_test_runs',
  description: 'List the suites that ran in an environment, newest first: release sha, passed, exit code, when.',
  parameters: z.object({ environment: EnvironmentArg }),
  kind: 'immediate',
  readOnly: true,
});

export const readTestOutput = defineTool({
  name: 'read_test_output',
  description: 'Read the last run of one suite in an environment: its facts and the tail of its output.',
  parameters: z.object({
    environment: EnvironmentArg,
    suite: nonEmptyText().describe('A suite name from list_test_runs'),
  }),
  kind: 'immediate',
  readOnly: true,
});

export const draftIssue = defineTool({
  name: 'draft_issue',
  description: 'Finish with the issue you drafted about the failure, ready to file.',
  parameters: z.object({
    title: nonEmptyText().describe('The suite and the symptom, under 80 characters'),
    body: nonEmptyText().describe('Markdown: environment, release sha, the failing lines quoted, the likely cause'),
    labels: z.array(nonEmptyText()).describe('For example test-failure and the suite name'),
  }),
  kind: 'terminal',
});

export const triage = defineAgent({
  name: 'triage',
  description: 'Reads the output of a failing test suite and drafts an issue about it.',
  prompt: definePrompt({
    variables: ['agent', 'tools'],
    template: `You are {{agent}}, the triage agent. A test suite failed and a person wants an issue drafted.

Tools: {{tools}}.

Call list_test_runs for the environment the message names (staging when it names none), then
read_test_output for the failing suite. Draft the issue from that output only: quote the failing
lines exactly, name the environment and release sha, and state the likely cause only if the output
shows it. If no suite failed, draft an issue saying so. Finish with draft_issue.
Answer with exactly one tool call.`,
  }),
  tools: [listTestRuns, readTestOutput, draftIssue],
  maxSteps: 6,
  errorThreshold: 3,
});
