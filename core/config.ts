import { z } from 'zod';
import { DEFAULT_TASK_QUEUE } from './constants';
import { EncryptionKeyList } from './encryption-keys';
import { describeIssues } from './zod-issues';

const optionalText = z.string().trim().min(1).optional().catch(undefined);

/** A Standard Webhooks secret (standardwebhooks.com): `whsec_` and the base64 of 24 to 64 random bytes. */
const standardWebhookSecret = z
  .string()
  .regex(
    /^whsec_[A-Za-z0-9+/]{32,88}={0,2}$/,
    'use a Standard Webhooks secret, whsec_ and the base64 of 24 to 64 random bytes, e.g. `echo "whsec_$(openssl rand -base64 32)"`',
  );

/**
 * Every setting, read once from the environment by worker/ and client/ (pure here: the
 * environment comes in as an argument). Paths are resolved against `cwd` by the caller.
 * Where Temporal is (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS_*,
 * profiles) is Temporal's own client configuration, read by client/connect.ts `temporalSettings`.
 */
export const TfaConfig = z
  .object({
    /** Task queue the worker polls and runs start on. Default `tfa`. */
    TFA_TASK_QUEUE: z.string().min(1).default(DEFAULT_TASK_QUEUE),
    /** With neither key nor base URL set, `npm start` runs the scripted (simulated) model. */
    OPENAI_API_KEY: optionalText,
    /** Any OpenAI-compatible endpoint: OpenAI, Ollama, vLLM, llama.cpp server... */
    OPENAI_BASE_URL: z.url({ protocol: /^https?$/ }).optional(),
    /** Model name; default: the agent's own, else gpt-4o-mini. */
    TFA_MODEL: optionalText,
    /** Per-request model timeout in milliseconds; a timeout is retried by Temporal. Default 60 s. */
    TFA_MODEL_TIMEOUT_MS: z.coerce.number().int().positive().default(60_000),
    /** Where the dev server's SQLite file and the deploy release store live. Default `.data`. */
    TFA_DATA_DIR: z.string().default('.data'),
    /** Git repository DeployBot deploys from. Default: this repository. */
    TFA_DEPLOY_REPO: z.string().default('.'),
    /** Command `run_tests` runs inside a release. Default: the release check shipped in this repository. */
    TFA_DEPLOY_TEST_COMMAND: z.string().default('node scripts/check-release.cjs'),
    /**
     * Comma-separated names of worker environment variables release commands may see, beyond PATH,
     * HOME and LANG (e.g. `NODE_OPTIONS,CI`). Default none: the worker's secrets never reach a test suite.
     */
    TFA_DEPLOY_ENV_PASSTHROUGH: z
      .string()
      .default('')
      .transform((list) =>
        list
          .split(',')
          .map((name) => name.trim())
          .filter((name) => name !== ''),
      ),
    /** Where human notices go: console (prints the answer commands), webhook (signed JSON POST) or slack. */
    TFA_NOTIFY_CHANNEL: z.enum(['console', 'webhook', 'slack']).default('console'),
    TFA_NOTIFY_WEBHOOK_URL: z.url().optional(),
    /** Standard Webhooks secret (`whsec_...`) that signs the webhook channel's webhook-signature header. */
    TFA_NOTIFY_WEBHOOK_SECRET: standardWebhookSecret.optional(),
    /** A Slack incoming-webhook URL for the slack channel. */
    TFA_SLACK_WEBHOOK_URL: z.url().optional(),
    /** JSON file of approvers and timeouts per agent (see README). Default config/policy.json; missing file: anyone may approve. */
    TFA_POLICY_FILE: z.string().default('config/policy.json'),
    /** Worker log level; notices reach people through their channel, so the default is quiet. */
    TFA_LOG_LEVEL: z.enum(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR']).default('WARN'),
    /**
     * Runs a worker keeps in memory between workflow tasks, at least 2. A run that waits for a person
     * is soon evicted and replays its history when it resumes. Default: worker/create-worker.ts
     * DEFAULT_MAX_CACHED_WORKFLOWS; raise it when more runs step at once on one worker.
     */
    TFA_MAX_CACHED_WORKFLOWS: z.coerce
      .number({ error: 'use a whole number of runs, e.g. 32' })
      .int('use a whole number of runs, e.g. 32')
      .min(2, 'keep at least 2 runs cached, e.g. 32 (each cached run holds ~1 MB)')
      .optional(),
    /** A workflow bundle built ahead (`npm run bundle`; the Docker image sets it): the worker loads it instead of bundling workflows/ at start. */
    TFA_WORKFLOW_BUNDLE: optionalText,
    /** JSON price table per model (USD per 1M tokens) the model activity costs calls with. Default config/prices.json; missing file: costs unknown. */
    TFA_PRICES_FILE: z.string().min(1).default('config/prices.json'),
    /** Port of the worker's Prometheus endpoint (`/metrics`): Temporal's worker metrics and tfa's own. Unset: no endpoint. */
    TFA_METRICS_PORT: z.coerce.number().int().min(1).max(65535).optional(),
    /** Interface the metrics endpoint binds. Default 127.0.0.1; `0.0.0.0` lets a Prometheus on another host (or container) scrape it. */
    TFA_METRICS_HOST: z.string().min(1).default('127.0.0.1'),
    /** Temporal Web UI, printed in links. Default http://localhost:8233. */
    TFA_WEB_UI_URL: z.string().default('http://localhost:8233'),
    /** HTTP gateway port (`npm start`). Default 8787; 0 picks a free port. */
    TFA_GATEWAY_PORT: z.coerce.number().int().min(0).max(65535).optional(),
    /** Interface the gateway binds. Default 127.0.0.1; any other needs TFA_GATEWAY_TOKEN. */
    TFA_GATEWAY_HOST: z.string().min(1).optional(),
    /** Bearer token for the gateway's run API and events. Unset: loopback only, no auth. */
    TFA_GATEWAY_TOKEN: z
      .string()
      .min(16, 'use at least 16 characters, e.g. the output of `openssl rand -hex 32`')
      .optional(),
    /** JSON file of personal gateway tokens, `{ "alice": "sha256:<hex>" }` (`tfa token create <name>`): such a request acts as that person. */
    TFA_GATEWAY_TOKENS_FILE: z.string().min(1).optional(),
    /** The gateway's private key file (`tfa keys create gateway`): it vouches for people it authenticated; its public key goes under the policy's attesters.gateway. */
    TFA_GATEWAY_KEY_FILE: z.string().min(1).optional(),
    /** Secret of the GitHub webhook; unset: POST /webhooks/github answers 503. Needs TFA_GITHUB_REPOSITORY. */
    TFA_GITHUB_WEBHOOK_SECRET: z.string().min(1).optional(),
    /** `owner/name` of the one GitHub repository whose merges deploy; required with TFA_GITHUB_WEBHOOK_SECRET. */
    TFA_GITHUB_REPOSITORY: z
      .string()
      .regex(/^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/, 'use owner/name, e.g. acme/shop')
      .optional(),
    /** Branch whose merges deploy (GitHub webhook); merges into any other branch are ignored. Default `main`. */
    TFA_DEPLOY_BRANCH: z.string().min(1).default('main'),
    /** Slack app's signing secret; unset: POST /webhooks/slack answers 503. */
    TFA_SLACK_SIGNING_SECRET: z.string().min(1).optional(),
    /** Slack bot token (`xoxb-…`) the gateway opens the reject dialog with (views.open); unset: Reject says how to set it. */
    TFA_SLACK_BOT_TOKEN: z.string().min(1).optional(),
    /** Slack's Web API base URL. Default https://slack.com/api (tests use a simulated Slack). */
    TFA_SLACK_API_URL: z.url().optional(),
    /** JSON file mapping event types to agents. Default config/events.json. */
    TFA_EVENTS_CONFIG: z.string().min(1).optional(),
    /** Standard Webhooks secret (`whsec_...`); when set, POST /events/:type needs webhook-id/-timestamp/-signature instead of the token. */
    TFA_EVENTS_SECRET: standardWebhookSecret.optional(),
    /** Payload encryption keys `<id>:<base64 of 32 bytes>`, comma-separated: the first encrypts, all decrypt. Unset: payloads are plaintext. */
    TFA_ENCRYPTION_KEYS: EncryptionKeyList.optional(),
    /** Browser origins that may call the gateway's codec endpoints, comma-separated. Default: the origin of TFA_WEB_UI_URL. */
    TFA_CODEC_CORS_ORIGINS: z
      .string()
      .transform((list) =>
        list
          .split(',')
          .map((origin) => origin.trim())
          .filter((origin) => origin !== ''),
      )
      .pipe(
        z.array(
          z
            .string()
            .regex(
              /^https?:\/\/[^/\s]+$/,
              'each origin is scheme://host[:port] with no path, e.g. http://localhost:8233',
            ),
        ),
      )
      .optional(),
  })
  .refine((config) => !config.TFA_GITHUB_WEBHOOK_SECRET || config.TFA_GITHUB_REPOSITORY, {
    path: ['TFA_GITHUB_REPOSITORY'],
    message: 'required with TFA_GITHUB_WEBHOOK_SECRET: set it to the owner/name of the repository whose merges deploy',
  });
export type TfaConfig = z.infer<typeof TfaConfig>;

/** Parses the environment; a bad value is an error naming the variable and what it expects. */
export function parseConfig(env: Record<string, string | undefined>): TfaConfig {
  // An empty variable (`OPENAI_BASE_URL=`) means unset, as in most tools.
  const setOnly = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value.trim() !== ''),
  );
  const parsed = TfaConfig.safeParse(setOnly);
  if (parsed.success) return parsed.data;
  throw new Error(`Invalid configuration: ${describeIssues(parsed.error, '(environment)')}`);
}
