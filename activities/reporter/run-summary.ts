import type { WorkflowExecutionInfo } from '@temporalio/client';
import { tfaAgentKey, tfaStatusKey } from '../../workflows/search-attributes';

/** One run as visibility lists it; shared by `tfa list`, the gateway and the reporter agent. */
export interface RunSummary {
  workflowId: string;
  type: string;
  /** Temporal's execution status: RUNNING, COMPLETED, FAILED... */
  executionStatus: string;
  /** The agent's own status (search attribute TfaStatus), when the run has set it. */
  status?: string;
  /** The agent (search attribute TfaAgent), when the run has set it. */
  agent?: string;
  startTime: string;
  closeTime: string | null;
}

export function summarizeRun(run: WorkflowExecutionInfo): RunSummary {
  const status = run.typedSearchAttributes.get(tfaStatusKey);
  const agent = run.typedSearchAttributes.get(tfaAgentKey);
  return {
    workflowId: run.workflowId,
    type: run.type,
    executionStatus: run.status.name,
    ...(status !== undefined ? { status } : {}),
    ...(agent !== undefined ? { agent } : {}),
    startTime: run.startTime.toISOString(),
    closeTime: run.closeTime?.toISOString() ?? null,
  };
}
