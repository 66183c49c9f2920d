/**
 * SIMULATED notifier "model" for the offline demo (a fixed policy, not an LLM), for the pipeline's
 * "Pipeline for ref <ref> ... needs attention: <what>" task:
 *
 *   no send_notification result -> send_notification {critical, the task text as the message}
 *   otherwise                   -> finish_notifying {"Alert sent."}
 */
import { callTool, type ScriptedReply } from '../server';
import { taskText, toolResults } from './rendered-context';

export const ALERT_TITLE = 'Deploy pipeline needs attention';

/** Picks the notifier's next step from the event-log text (see the module comment). */
export function nextNotifierStep(context: string): ScriptedReply {
  if (toolResults(context, 'send_notification').length > 0)
    return callTool('finish_notifying', { message: 'Alert sent.' });
  const message = taskText(context) || 'A deploy pipeline stage failed.';
  return callTool('send_notification', { severity: 'critical', title: ALERT_TITLE, message });
}
