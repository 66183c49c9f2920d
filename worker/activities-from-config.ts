import path from 'node:path';
import OpenAI from 'openai';
import { createActivities } from '../activities';
import { createDeploybotExecutors } from '../activities/deploybot/executors';
import type { TfaConfig } from '../core/config';

/** The production wiring: the `openai` client unchanged, and the real tool executors. */
export function activitiesFromConfig(config: TfaConfig, cwd: string, write: (text: string) => void = console.log) {
  const openai = new OpenAI({
    apiKey: config.OPENAI_API_KEY ?? 'not-needed-for-this-endpoint',
    baseURL: config.OPENAI_BASE_URL,
    maxRetries: 0, // Temporal's retry policy is the only retry layer, visible in the history
    timeout: config.TFA_MODEL_TIMEOUT_MS,
  });
  const deploybot = createDeploybotExecutors({
    repo: path.resolve(cwd, config.TFA_DEPLOY_REPO),
    root: path.resolve(cwd, config.TFA_DATA_DIR, 'deploy'),
    testCommand: config.TFA_DEPLOY_TEST_COMMAND,
  });
  return createActivities({ openai, model: config.TFA_MODEL, executors: { deploybot }, write });
}
