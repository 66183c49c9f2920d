import { formatDeployStatus, formatStatus } from '../../client/format-status';
import { replay } from '../../core/reducer';
import type { NewEvent, ThreadEvent } from '../../core/thread';
import { noticeText } from '../../activities/notify-human';
import { answerCommands, describeWaiting } from '../../core/waiting';
import { awaitingApprovalThread, eventFactory } from '../core/support/events';

const CLEAR_SCREEN = '\x1b[2J';
const ev = eventFactory();

function view(events: ThreadEvent[]) {
  return { events, state: replay(events) };
}

const hostile = [
  ev({ type: 'run_started', agent: 'deploybot', maxSteps: 12 }),
  ev({ type: 'user_message', text: `deploy main${CLEAR_SCREEN}\rforged line\u009b31m` } as NewEvent),
  ev({ type: 'human_input_requested', requestId: 'req-1', callId: 'call-1', question: `which ref?${CLEAR_SCREEN}` }),
  ev({ type: 'human_reply', requestId: 'req-1', by: `mallory${CLEAR_SCREEN}\x07`, text: `main\x1b]0;owned\x07` }),
];

describe('formatStatus', () => {
  it('strips the control characters a thread text carries, e.g. \\x1b[2J, \\r and C1 CSI', () => {
    const text = formatStatus('run-1', view(hostile));
    expect(text).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/);
    expect(text).toContain('deploy main[2Jforged line31m');
    expect(text).toContain('mallory[2J');
  });

  it('shell-quotes the ids of the earlier-run command line and leaves ordinary ones bare', () => {
    const earlier = ev({ type: 'earlier_events', count: 3, runId: 'run-a1', state: {} } as NewEvent);
    const shown = { events: [earlier, hostile[0]!], state: replay(hostile.slice(0, 1)) };
    expect(formatStatus('deploy-main', shown)).toContain('tfa status deploy-main --run run-a1');
    expect(formatStatus("x'; id; '", shown)).toContain(`tfa status 'x'\\''; id; '\\''' --run run-a1`);
  });

  it('strips control characters in a pipeline child shown under the DAG', () => {
    const state = { ref: `main${CLEAR_SCREEN}`, stage: 'staging', children: [] } as never;
    const text = formatDeployStatus('deploy-1', state, { workflowId: 'deploy-1-staging', view: view(hostile) });
    expect(text).not.toContain('\x1b');
  });
});

describe('noticeText', () => {
  it('strips control characters from the summary and quotes a hostile workflow id in every answer line', () => {
    const text = noticeText({
      workflowId: "x'; rm -rf ~; '",
      agent: 'deploybot',
      requestId: 'req-1',
      kind: 'input',
      summary: `which ref?${CLEAR_SCREEN}`,
    });
    expect(text).not.toContain('\x1b');
    expect(text).toContain(`tfa reply 'x'\\''; rm -rf ~; '\\''' --request-id req-1`);
  });
});

describe('what waits and how to answer, in tfa status, the notice and the Web UI', () => {
  const approval = [...awaitingApprovalThread(), ev({ type: 'pause_requested', by: 'gina', reason: 'look first' })];
  const state = replay(approval);
  const commands = answerCommands('run-1', state.pending!);

  it('lists the same answer commands under the same heading in all three', () => {
    const status = formatStatus('run-1', view(approval)).split('\n');
    const notice = noticeText({
      workflowId: 'run-1',
      agent: 'deploybot',
      requestId: 'req-1',
      kind: 'approval',
      summary: 'deploy_to_production {"ref":"main"}',
    }).split('\n');
    const details = describeWaiting('run-1', state).split('\n');
    expect(
      status.slice(
        status.indexOf('answer with one of:') + 1,
        status.indexOf('answer with one of:') + 1 + commands.length,
      ),
    ).toEqual(commands.map((command) => `  ${command}`));
    expect(notice.slice(notice.indexOf('  answer with one of:') + 1)).toEqual(
      commands.map((command) => `    ${command}`),
    );
    expect(details.slice(details.indexOf('Answer with one of:') + 1)).toEqual(
      commands.map((command) => `- \`${command}\``),
    );
  });

  it('names the tool and its exact arguments, and who asked for a pause, in the same words', () => {
    const status = formatStatus('run-1', view(approval));
    const details = describeWaiting('run-1', state);
    expect(status).toContain('waiting for approval of deploy_to_production {"ref":"main"}');
    expect(details).toContain('`deploy_to_production {"ref":"main"}`');
    expect(status).toContain(
      'pause requested by gina (look first): it takes effect at the next step boundary; resume withdraws it',
    );
    expect(details).toContain(
      'Pause requested by gina (look first): it takes effect at the next step boundary. Withdraw: ',
    );
  });
});
