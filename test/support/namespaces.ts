import type { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { eventually } from './workflow-harness';

/**
 * Registers a fresh `namespace` (one day's retention, none of tfa's search attributes) and resolves once
 * the server serves it: a new namespace takes a moment to reach every service.
 */
export async function registerNamespace(connection: Connection, namespace: string): Promise<void> {
  await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('1 day') });
  const served = () =>
    connection.operatorService.listSearchAttributes({ namespace }).then(
      () => true,
      () => false,
    );
  await eventually(served, 30_000);
}
