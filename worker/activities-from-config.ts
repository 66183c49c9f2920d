import path from 'node:path';
import OpenAI from 'openai';
import { createActivities } from '../activities';
import { createReleaseStore } from '../activities/deploybot/release-store';
import { createToolExecutors } from '../activities/tool-executors';
import type { TfaConfig } from '../core/config';
import { channelFromConfig } from './notification-channel';
import { readPolicyFile } from './policy-file';

/** The production wiring: the `openai` client unchanged, and the real tool executors. */
export function activitiesFromConfig(config: TfaConfig, cwd: string, write: (text: string) => void = console.log) {
  const openai = new OpenAI({
    apiKey: config.OPENAI_API_KEY ?? 'not-needed-for-this-endpoint',
    baseURL: config.OPENAI_BASE_URL,
    maxRetries: 0, // Temporal's retry policy is the only retry layer, visible in the history
    timeout: config.TFA_MODEL_TIMEOUT_MS,
  });
  const releases = createReleaseStore({
    repo: path.resolve(cwd, config.TFA_DEPLOY_REPO),
    root: path.resolve(cwd, config.TFA_DATA_DIR, 'deploy'),
    testCommand: config.TFA_DEPLOY_TEST_COMMAND,
  });
  const { policies, found } = readPolicyFile(path.resolve(cwd, config.TFA_POLICY_FILE));
  if (!found) write(`[tfa] no ${config.TFA_POLICY_FILE}: ANYONE may approve any tool, and requests wait one day before escalating.`);
  const channel = channelFromConfig(config, write);
  const executors = createToolExecutors({ releases, channel });
  return createActivities({ openai, model: config.TFA_MODEL, executors, channel, policies, releases });
}
