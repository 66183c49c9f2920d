import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';

/** The model call: transient endpoint failures retry with backoff; invalid output is non-retryable. */
export const { chooseNextTool } = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 5 },
});

/** Tool executions: executors are idempotent per operationId, so a retry never acts twice. */
export const { executeTool } = proxyActivities<Activities>({
  startToCloseTimeout: '15 minutes',
  retry: { initialInterval: '2 seconds', maximumAttempts: 3 },
});

/** Notifications retry longer: losing one would leave a person unaware that a run waits. */
export const { notifyHuman } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', maximumInterval: '1 minute', maximumAttempts: 10 },
});
