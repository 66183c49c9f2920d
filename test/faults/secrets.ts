import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';

/**
 * Secret values the suite gives the worker, fresh each run: the model key, the gateway token, and a
 * webhook secret the operator passes through to release commands (TFA_DEPLOY_ENV_PASSTHROUGH), so
 * the test suite's `env` prints it and only the scrubber stands between it and the thread.
 */
export const FAULT_SECRETS = {
  OPENAI_API_KEY: `sk-fault-${randomBytes(16).toString('hex')}`,
  TFA_GATEWAY_TOKEN: `gw-fault-${randomBytes(16).toString('hex')}`,
  FAULT_SUITE_WEBHOOK_SECRET: `whsec-fault-${randomBytes(16).toString('hex')}`,
} as const;

/** The worker environment that carries FAULT_SECRETS. */
export function secretWorkerEnv(): Record<string, string> {
  return { ...FAULT_SECRETS, TFA_DEPLOY_ENV_PASSTHROUGH: 'FAULT_SUITE_WEBHOOK_SECRET' };
}

/** Payload bytes as text, so a secret inside a JSON payload is found by a plain search. */
function historyText(history: unknown): string {
  return JSON.stringify(history, (_key, value: unknown) =>
    value instanceof Uint8Array ? Buffer.from(value).toString('utf8') : value,
  );
}

/**
 * Fetches the full history of every workflow id with the client and counts the secret values found
 * (raw, or base64 as a payload might carry them). Returns the ids where one was found.
 */
export async function scanHistories(
  client: Client,
  workflowIds: readonly string[],
): Promise<{ scanned: number; leaks: string[] }> {
  const values = Object.values(FAULT_SECRETS).flatMap((value) => [value, Buffer.from(value).toString('base64')]);
  const leaks: string[] = [];
  for (const workflowId of workflowIds) {
    const text = historyText(await client.workflow.getHandle(workflowId).fetchHistory());
    if (values.some((value) => text.includes(value))) leaks.push(workflowId);
  }
  return { scanned: workflowIds.length, leaks };
}
