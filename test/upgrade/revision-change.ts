// The change both test revisions make to agentWorkflow: each run's memo says which workflow code
// started it and which finished it. A stand-in for any real change to workflow logic: it adds
// commands (memo upserts) at the start of a run and after its last step.
import { upsertMemo } from '@temporalio/workflow';
import { agentWorkflow as todaysAgentWorkflow } from '../../workflows/agent';
import type { AgentWorkflowInput, AgentRunResult } from '../../core/run';

/** The memo key naming the revision that started a run, and the one that finished it. */
export const STARTED_ON = 'tfaStartedOn';
export const FINISHED_ON = 'tfaFinishedOn';
export const NEXT_REVISION = 'next';

/** Patch ids of the guarded revision (next-workflows.ts), one per changed place. */
export const STARTED_ON_PATCH = 'upgrade-drill-started-on-v1';
export const FINISHED_ON_PATCH = 'upgrade-drill-finished-on-v1';

/** agentWorkflow with the change; `use(patchId)` decides whether this run takes the new path at that place. */
export async function changedAgentWorkflow(
  input: AgentWorkflowInput,
  use: (patchId: string) => boolean,
): Promise<AgentRunResult> {
  if (use(STARTED_ON_PATCH)) upsertMemo({ [STARTED_ON]: NEXT_REVISION });
  const result = await todaysAgentWorkflow(input);
  if (use(FINISHED_ON_PATCH)) upsertMemo({ [FINISHED_ON]: NEXT_REVISION });
  return result;
}
