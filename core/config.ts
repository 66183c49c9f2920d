import { z } from 'zod';
import { DEFAULT_TASK_QUEUE } from './constants';

const optionalText = z.string().trim().min(1).optional().catch(undefined);

/**
 * Every setting, read once from the environment by worker/ and client/ (pure here: the
 * environment comes in as an argument). Paths are resolved against `cwd` by the caller.
 */
export const TfaConfig = z.object({
  /** Temporal frontend, host:port. Default localhost:7233 (the dev server's). */
  TEMPORAL_ADDRESS: z.string().default('localhost:7233'),
  TEMPORAL_NAMESPACE: z.string().default('default'),
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
  /** Temporal Web UI, printed in links. Default http://localhost:8233. */
  TFA_WEB_UI_URL: z.string().default('http://localhost:8233'),
});
export type TfaConfig = z.infer<typeof TfaConfig>;

/** Parses the environment; a bad value is an error naming the variable and what it expects. */
export function parseConfig(env: Record<string, string | undefined>): TfaConfig {
  // An empty variable (`OPENAI_BASE_URL=`) means unset, as in most tools.
  const setOnly = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value.trim() !== ''));
  const parsed = TfaConfig.safeParse(setOnly);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
  throw new Error(`Invalid configuration: ${problems}`);
}
