import { z } from 'zod';
import { defineAgent } from '../../core/agent';
import { definePrompt } from '../../core/prompt';
import { defineTool, nonEmptyText } from '../../core/tools';

export const sendNotification = defineTool({
  name: 'send_notification',
  description: 'Send an alert to the team through the configured channel (console, webhook or Slack).',
  parameters: z.object({
    severity: z.enum(['info', 'warning', 'critical']),
    title: nonEmptyText(),
    message: nonEmptyText().describe('What happened, what it affects, what to do next'),
  }),
  kind: 'immediate',
});

export const finishNotifying = defineTool({
  name: 'finish_notifying',
  description: 'Finish once the alert is sent.',
  parameters: z.object({ message: nonEmptyText() }),
  kind: 'terminal',
});

export const notifier = defineAgent({
  name: 'notifier',
  description: 'Writes an alert about a failed pipeline stage and sends it to the team.',
  prompt: definePrompt({
    variables: ['agent', 'tools'],
    template: `You are {{agent}}, the notification agent of a deployment pipeline. Something failed.

Tools: {{tools}}.

Write one clear alert: what failed, for which ref and release, the key lines of the failure, and the
next step for a person. Send it with send_notification, then call finish_notifying.
Answer with exactly one tool call.`,
  }),
  tools: [sendNotification, finishNotifying],
  maxSteps: 4,
  errorThreshold: 3,
});
