import type { WorkflowExecutionInfo } from '@temporalio/client';
import { tfaStatusKey } from '../workflows/search-attributes';

/** One run as visibility lists it; shared by `tfa list`, the gateway and the reporter agent. */
export interface RunSummary {
  workflowId: string;
  type: string;
  /** Temporal's execution status: RUNNING, COMPLETED, FAILED... */
  executionStatus: string;
  /** The agent's own status (search attribute TfaStatus), when the run has set it. */
  status?: string;
  startTime: string;
  closeTime: string | null;
}

export function summarizeRun(run: WorkflowExecutionInfo): RunSummary {
  const status = run.typedSearchAttributes.get(tfaStatusKey);
  return {
    workflowId: run.workflowId,
    type: run.type,
    executionStatus: run.status.name,
    ...(status !== undefined ? { status } : {}),
    startTime: run.startTime.toISOString(),
    closeTime: run.closeTime?.toISOString() ?? null,
  };
}
