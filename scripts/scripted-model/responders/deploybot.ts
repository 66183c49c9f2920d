/**
 * SIMULATED DeployBot "model" for the offline demo and tests: a fixed policy, not an LLM. It reads
 * the rendered event log (see rendered-context.ts) and picks the next tool:
 *
 *   no deploy_to_staging result    -> deploy_to_staging {ref}
 *   no run_tests result            -> run_tests {environment: "staging"}
 *   tests failed                   -> done_for_now (not deploying)
 *   production approval rejected   -> done_for_now (staying on staging)
 *   no deploy_to_production result -> deploy_to_production {ref}
 *   otherwise                      -> done_for_now (deployed)
 */
import { callTool, type ScriptedReply } from '../server';
import { field, rejectionReason, taskText, toolResults } from './rendered-context';

const DEFAULT_REF = 'main';

/** The ref named by the first `<user_message>`: the word after "deploy", else "main". */
export function extractRef(context: string): string {
  const task = taskText(context) ?? context;
  return /\bdeploy\s+([A-Za-z0-9._/-]+)/i.exec(task)?.[1] ?? DEFAULT_REF;
}

function testsFailed(context: string): boolean {
  return field(toolResults(context, 'run_tests').at(-1) ?? '', 'passed') === false;
}

/** Picks DeployBot's next step from the event-log text (see the module comment). */
export function nextDeploybotStep(context: string): ScriptedReply {
  const ref = extractRef(context);
  if (toolResults(context, 'deploy_to_staging').length === 0) return callTool('deploy_to_staging', { ref });
  if (toolResults(context, 'run_tests').length === 0) return callTool('run_tests', { environment: 'staging' });
  if (testsFailed(context)) {
    return callTool('done_for_now', { message: `Tests failed on staging; not deploying ${ref} to production.` });
  }
  const reason = rejectionReason(context);
  if (reason !== null) {
    // Trailing periods are dropped because the message adds its own.
    const said = reason.replace(/\.+$/, '') || 'no reason given';
    return callTool('done_for_now', {
      message: `Production deploy of ${ref} was rejected: ${said}. Staying on staging.`,
    });
  }
  if (toolResults(context, 'deploy_to_production').length === 0) return callTool('deploy_to_production', { ref });
  return callTool('done_for_now', { message: `Deployed ${ref} to production.` });
}
