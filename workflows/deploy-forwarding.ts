import { getExternalWorkflowHandle, log, setHandler, type SignalDefinition } from '@temporalio/workflow';
import { activeChild, recordForwarded, type DeployState } from '../agents/pipeline';
import { approveSignal, pauseSignal, rejectSignal, replySignal, resumeSignal } from './messages';

/**
 * A person who only knows the pipeline's id can answer it: approve/reject/reply/pause/resume sent
 * to the parent are forwarded to the child that is running, which validates and records them.
 */
export function forwardHumanMessages(state: DeployState): void {
  const forward =
    <T extends { by?: string }>(signal: SignalDefinition<[T], string>) =>
    async (input: T) => {
      const child = activeChild(state);
      recordForwarded(state, signal.name, child?.workflowId ?? null, input?.by);
      if (!child) return void log.warn('no running child to forward to', { message: signal.name });
      await getExternalWorkflowHandle(child.workflowId).signal(signal, input);
    };
  setHandler(approveSignal, forward(approveSignal));
  setHandler(rejectSignal, forward(rejectSignal));
  setHandler(replySignal, forward(replySignal));
  setHandler(pauseSignal, forward(pauseSignal));
  setHandler(resumeSignal, forward(resumeSignal));
}
