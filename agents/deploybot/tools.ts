import { z } from 'zod';
import { defineTool, nonEmptyText } from '../../core/tools';
import { Environment } from '../environments';

const EnvironmentArg = Environment.describe('Which environment');
const Ref = nonEmptyText().describe('A git ref: branch, tag or commit SHA');

export const deployToStaging = defineTool({
  name: 'deploy_to_staging',
  description: 'Deploy a git ref of the repository to staging.',
  parameters: z.object({ ref: Ref }),
  kind: 'immediate',
});

export const deployToProduction = defineTool({
  name: 'deploy_to_production',
  description:
    'Deploy a git ref to production. The ref is resolved to its commit SHA first; a human approves exactly that commit.',
  parameters: z.object({ ref: Ref }),
  kind: 'approval',
  resolvesArgs: true,
});

export const runTests = defineTool({
  name: 'run_tests',
  description:
    'Run the test command against the release currently deployed in an environment; the run is recorded by its commit SHA.',
  parameters: z.object({ environment: EnvironmentArg }),
  kind: 'immediate',
});

export const listReleases = defineTool({
  name: 'list_releases',
  description: 'List the releases of an environment, newest first, marking the current one.',
  parameters: z.object({ environment: EnvironmentArg }),
  kind: 'immediate',
  readOnly: true,
});

export const rollback = defineTool({
  name: 'rollback',
  description:
    'Switch an environment back to the release it ran before. A human approves the exact switch (from which SHA to which).',
  parameters: z.object({ environment: EnvironmentArg }),
  kind: 'approval',
  resolvesArgs: true,
});

export const requestHumanInput = defineTool({
  name: 'request_human_input',
  description: 'Ask a human a question when you cannot decide alone; the run waits for the reply.',
  parameters: z.object({
    question: nonEmptyText(),
    options: z.array(z.string()).nullable().describe('Choices to offer, or null for a free answer'),
  }),
  kind: 'human',
});

export const doneForNow = defineTool({
  name: 'done_for_now',
  description: 'Finish the run with a short message for the person who asked.',
  parameters: z.object({ message: nonEmptyText() }),
  kind: 'terminal',
});

export const deploybotTools = [
  deployToStaging,
  runTests,
  deployToProduction,
  listReleases,
  rollback,
  requestHumanInput,
  doneForNow,
];
