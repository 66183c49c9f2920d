import { z } from 'zod';
import { defineAgent } from '../../core/agent';
import { definePrompt } from '../../core/prompt';
import { defineTool, nonEmptyText } from '../../core/tools';

export const listRuns = defineTool({
  name: 'list_runs',
  description:
    'List agent and pipeline runs started in the last N hours, newest first (at most 100): workflow id, type, Temporal status, agent status, start and close time.',
  parameters: z.object({ hours: z.number().positive().max(168).describe('How far back, in hours; 24 for a day') }),
  kind: 'immediate',
  readOnly: true,
});

export const publishReport = defineTool({
  name: 'publish_report',
  description: 'Finish with the report on the runs you listed.',
  parameters: z.object({
    summary: nonEmptyText().describe('Two or three sentences with counts by outcome'),
    highlights: z.array(nonEmptyText()).describe('One line per run that needs attention, naming its workflow id'),
  }),
  kind: 'terminal',
});

export const reporter = defineAgent({
  name: 'reporter',
  description: 'Summarises the recent runs of agents and pipelines from Temporal visibility.',
  prompt: definePrompt({
    variables: ['agent', 'tools'],
    template: `You are {{agent}}, the reporting agent. You summarise recent runs for the team.

Tools: {{tools}}.

Call list_runs once, for the hours the message asks for (24 when it does not say). Then call
publish_report: a summary with counts of completed, failed or timed out, still running, and waiting
for a person (agent status awaiting_approval, awaiting_reply, needs_human or paused); highlights
naming the workflow id of each run that failed, timed out or waits. Report only what list_runs
returned; if it returned no runs, say so. If truncated is true, say the report covers the newest 100.
Answer with exactly one tool call.`,
  }),
  tools: [listRuns, publishReport],
  maxSteps: 4,
  errorThreshold: 3,
});
