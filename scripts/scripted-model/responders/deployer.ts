/**
 * SIMULATED deployer "model" for the offline demo (a fixed policy, not an LLM), for the pipeline's
 * "Deploy release <sha> (ref <ref>, use the SHA as the ref) to production. ..." task:
 *
 *   a deploy_to_production result -> finish_deploy {deployed: true, "Release <sha> is live."}
 *   the approval was rejected      -> finish_deploy {deployed: false, "Rejected: <reason>"}
 *   otherwise                      -> deploy_to_production {ref: <sha>} (a human approves it)
 */
import { callTool, type ScriptedReply } from '../server';
import { rejectionReason, taskText, toolResults } from './rendered-context';

/** The release to deploy: the word after "Deploy release" (or after "deploy"), else "main". */
export function releaseToDeploy(context: string): string {
  return /\bdeploy\s+(?:release\s+)?([A-Za-z0-9._/-]+)/i.exec(taskText(context) ?? '')?.[1] ?? 'main';
}

/** Picks the deployer's next step from the event-log text (see the module comment). */
export function nextDeployerStep(context: string): ScriptedReply {
  const sha = releaseToDeploy(context);
  if (toolResults(context, 'deploy_to_production').length > 0) {
    return callTool('finish_deploy', { deployed: true, message: `Release ${sha} is live.` });
  }
  const reason = rejectionReason(context);
  if (reason !== null) return callTool('finish_deploy', { deployed: false, message: `Rejected: ${reason}` });
  return callTool('deploy_to_production', { ref: sha });
}
