import path from 'node:path';
import OpenAI from 'openai';
import { clientPayloadCodecs } from '../codec/from-config';
import { createActivities } from '../activities';
import type { Tracing } from '../activities/telemetry/tracing';
import { commandEnvironment } from '../activities/deploybot/command-environment';
import { createReleaseStore } from '../activities/deploybot/release-store';
import { createListRuns } from '../activities/reporter/list-runs';
import { createToolExecutors } from '../activities/tool-executors';
import { lazyClient, temporalSettings, type TemporalSettings } from '../client/connect';
import type { TfaConfig } from '../core/config';
import { channelFromConfig } from './notification-channel';
import type { PolicySource } from '../core/policy';
import { loadPolicy } from './policy-file';
import { loadPrices } from './prices-file';

/** The production wiring: the `openai` client unchanged, a Temporal client (visibility, for the reporter), and the real tool executors. */
export function activitiesFromConfig(
  config: TfaConfig,
  cwd: string,
  write: (text: string) => void = console.log,
  /** Already loaded by a caller that shares it (npm start's gateway); else read from TFA_POLICY_FILE. */
  policy: PolicySource = loadPolicy(path.resolve(cwd, config.TFA_POLICY_FILE), write),
  /** Where Temporal is (client/connect.ts); default: read from this process's environment. */
  temporal: TemporalSettings = temporalSettings(process.env),
  /** Spans for model calls and tool runs (startTracing); none: tracing is off. */
  tracing?: Tracing,
) {
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
    commandEnv: commandEnvironment(process.env, config.TFA_DEPLOY_ENV_PASSTHROUGH),
  });
  const channel = channelFromConfig(config, write);
  // Lazy: it connects on first use (a model input query, the reporter's list_runs), so building the activities stays synchronous.
  const client = lazyClient(temporal, {
    dataConverter: { payloadCodecs: clientPayloadCodecs(config) }, // query results are encrypted too
  });
  const listRuns = createListRuns({ client, taskQueue: config.TFA_TASK_QUEUE });
  const executors = createToolExecutors({ releases, channel, listRuns });
  const prices = loadPrices(path.resolve(cwd, config.TFA_PRICES_FILE), write);
  return createActivities({ openai, model: config.TFA_MODEL, executors, channel, policy, releases, prices, tracing });
}
