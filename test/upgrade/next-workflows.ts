// Workflow code N+1, the way the README's "Upgrading" rule says to write it: the change sits
// behind patched(), so a run that reached a place on revision N replays it as it was.
import { patched } from '@temporalio/workflow';
import type { AgentWorkflowInput, AgentRunResult } from '../../core/run';
import { changedAgentWorkflow } from './revision-change';

export { deployWorkflow } from '../../workflows/deploy';

export async function agentWorkflow(input: AgentWorkflowInput): Promise<AgentRunResult> {
  return changedAgentWorkflow(input, patched);
}
