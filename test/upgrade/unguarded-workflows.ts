// The same change as next-workflows.ts without patched(): what the rule forbids. A run that
// waited on revision N no longer replays on it.
import type { AgentWorkflowInput, AgentRunResult } from '../../core/run';
import { changedAgentWorkflow } from './revision-change';

export { deployWorkflow } from '../../workflows/deploy';

export async function agentWorkflow(input: AgentWorkflowInput): Promise<AgentRunResult> {
  return changedAgentWorkflow(input, () => true);
}
