import { defineAgent } from '../../core/agent';
import { deploybotPrompt } from './prompt';
import { deploybotTools } from './tools';

export const deploybot = defineAgent({
  name: 'deploybot',
  description: 'Deploys a git ref to staging, tests it, and to production after a human approves.',
  prompt: deploybotPrompt,
  tools: deploybotTools,
  maxSteps: 12,
  errorThreshold: 3,
  // What it would ask first: which release each environment runs (no read-only tool reads test runs).
  contextLoaders: [
    { name: 'staging_releases', tool: 'list_releases', args: { environment: 'staging' } },
    { name: 'production_releases', tool: 'list_releases', args: { environment: 'production' } },
  ],
});
