import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';

/** The model call: transient endpoint failures retry with backoff; invalid output is non-retryable. */
export const MODEL_ACTIVITY_OPTIONS = {
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 5 },
} as const;
export const { chooseNextTool } = proxyActivities<Activities>(MODEL_ACTIVITY_OPTIONS);

/** Fits the model's input to its token budget (the tokenizer stays out of the sandbox): a local activity, no extra round trip. */
export const { planModelInput } = proxyLocalActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 3 },
});

/** Tool executions: executors are idempotent per operationId, so a retry never acts twice. */
export const TOOL_ACTIVITY_OPTIONS = {
  startToCloseTimeout: '15 minutes',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '2 seconds', maximumAttempts: 3 },
} as const;
export const { executeTool } = proxyActivities<Activities>(TOOL_ACTIVITY_OPTIONS);

/** A notice that still fails after retries is recorded as an error; the request stays pending and visible. */
export const { notifyHuman } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumAttempts: 4 },
});

/** Reads the run's approvers and timeouts from the worker's config, once, at run start. */
export const { loadRunPolicy } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 5 },
});

/** The pipeline's own activities on the release store (no model involved). */
export const RELEASE_ACTIVITY_OPTIONS = {
  startToCloseTimeout: '15 minutes',
  retry: { initialInterval: '2 seconds', maximumAttempts: 3 },
} as const;
export const { deployRelease, readCurrentRelease, readReleasesDeployedBy } =
  proxyActivities<Activities>(RELEASE_ACTIVITY_OPTIONS);

/** Pins an approval tool's arguments (a ref to its commit SHA) before a human is asked. */
export const PIN_ACTIVITY_OPTIONS = {
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '2 seconds', maximumAttempts: 3 },
} as const;
export const { resolveToolCall } = proxyActivities<Activities>(PIN_ACTIVITY_OPTIONS);

/** The evidence the pipeline checks before asking for production approval: recorded test runs of a SHA. */
export const TEST_RUNS_ACTIVITY_OPTIONS = { startToCloseTimeout: '1 minute', retry: { maximumAttempts: 5 } } as const;
export const { readTestRuns } = proxyActivities<Activities>(TEST_RUNS_ACTIVITY_OPTIONS);

/** Reads a fork's source thread from Temporal; a refused cut is non-retryable, a server hiccup is retried. */
export const { loadForkSource } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumAttempts: 5 },
});
