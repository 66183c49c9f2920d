import { z } from 'zod';
import { defineAgent } from '../../core/agent';
import { definePrompt } from '../../core/prompt';
import { defineTool, nonEmptyText } from '../../core/tools';
import { deployToProduction, requestHumanInput } from '../deploybot/tools';

export const finishDeploy = defineTool({
  name: 'finish_deploy',
  description: 'Finish: say whether production now runs the release, and why not if it does not.',
  parameters: z.object({ deployed: z.boolean(), message: nonEmptyText() }),
  kind: 'terminal',
});

export const deployer = defineAgent({
  name: 'deployer',
  description: 'Asks a human to approve a production deploy of a tested release and deploys it.',
  prompt: definePrompt({
    variables: ['agent', 'tools'],
    template: `You are {{agent}}, the production deploy agent of a deployment pipeline. The release passed its tests on staging.

Tools: {{tools}}.

Deploy the given release SHA to production with deploy_to_production (a human approves that commit).
If they reject, do not ask again unless their reason invites it: finish with deployed=false and their reason.
Answer with exactly one tool call.`,
  }),
  tools: [deployToProduction, requestHumanInput, finishDeploy],
  maxSteps: 6,
  errorThreshold: 3,
});
