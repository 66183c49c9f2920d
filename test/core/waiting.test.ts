import { replay } from '../../core/reducer';
import { answerCommands, describeWaiting } from '../../core/waiting';
import { awaitingApprovalThread, eventFactory } from './support/events';

const ev = eventFactory();
const [started, call] = awaitingApprovalThread();

describe('describeWaiting', () => {
  it('gives the agent, status and step of a running run, and nothing else', () => {
    expect(describeWaiting('wf-1', replay([started, call]))).toBe('**deploybot**: running, step 1 of 12');
  });

  it('shows the tool, arguments and digest of a pending approval, with approve and reject commands', () => {
    const state = replay(awaitingApprovalThread('deploy_to_production', { ref: 'main' }, 'sha256:ab12'));
    expect(describeWaiting('wf-1', state).split('\n')).toEqual([
      '**deploybot**: awaiting_approval, step 1 of 12',
      '',
      'Waits for approval of request req-1: `deploy_to_production {"ref":"main"}` (sha256:ab12).',
      'Answer with one of:',
      '- `tfa approve wf-1 --request-id req-1 --by <you>`',
      '- `tfa reject wf-1 --request-id req-1 --by <you> --reason "<why>"`',
      '- `temporal workflow signal --workflow-id wf-1 --name approve --input "$(tfa sign approve wf-1 --request-id req-1 --by <you>)"`',
      `- \`temporal workflow signal --workflow-id wf-1 --name reject --input "$(tfa sign reject wf-1 --request-id req-1 --by <you> --reason '<why>')"\``,
      '- `/tfa approve wf-1 req-1`',
      '- `/tfa reject wf-1 req-1 <why>`',
    ]);
  });

  it('shows the question of a pending input request, with a reply command', () => {
    const state = replay([
      started,
      ev({ type: 'human_input_requested', requestId: 'req-2', callId: 'call-2', question: 'Which ref?' }),
    ]);
    expect(describeWaiting('wf-2', state).split('\n')).toEqual([
      '**deploybot**: awaiting_reply, step 0 of 12',
      '',
      'Waits for a reply to request req-2: Which ref?',
      'Answer with one of:',
      '- `tfa reply wf-2 --request-id req-2 --by <you> "<answer>"`',
      `- \`temporal workflow signal --workflow-id wf-2 --name reply --input '{"requestId":"req-2","by":"<you>","text":"<answer>"}'\``,
    ]);
  });

  it('shows the reason of an escalation, with a reply command', () => {
    const state = replay([started, ev({ type: 'escalated', requestId: 'req-3', reason: '3 consecutive errors' })]);
    const text = describeWaiting('wf-3', state);
    expect(text).toContain('**deploybot**: needs_human');
    expect(text).toContain('Waits for a reply to request req-3: 3 consecutive errors');
    expect(text).toContain(`--workflow-id wf-3 --name reply --input '{"requestId":"req-3",`);
  });

  it('shows a resume command for a paused run', () => {
    const state = replay([started, ev({ type: 'paused', by: 'alice' })]);
    expect(describeWaiting('wf-4', state).split('\n')).toEqual([
      '**deploybot**: paused, step 0 of 12',
      '',
      `Paused. Resume: \`temporal workflow signal --workflow-id wf-4 --name resume --input '{"by":"<you>"}'\``,
    ]);
  });

  it('gives only the status line once the run has ended', () => {
    const state = replay([started, ev({ type: 'run_ended', status: 'timed_out', reason: 'no answer' })]);
    expect(describeWaiting('wf-5', state)).toBe('**deploybot**: timed_out, step 0 of 12');
  });

  it('names the pending request in every answer line it prints', () => {
    const state = replay(awaitingApprovalThread('rollback', { environment: 'production' }));
    const lines = describeWaiting('wf-6', state)
      .split('\n')
      .filter((line) => line.startsWith('- '));
    expect(lines).toHaveLength(6);
    for (const line of lines) expect(line).toContain('req-1');
  });

  it('names a namespace other than default in every temporal line, and leaves the default one out', () => {
    const state = replay(awaitingApprovalThread('rollback', { environment: 'production' }));
    const temporalLines = (namespace?: string) =>
      describeWaiting('wf-7', state, namespace)
        .split('\n')
        .filter((line) => line.includes('temporal workflow'));
    expect(temporalLines('agents.a1b2c')).toHaveLength(2);
    for (const line of temporalLines('agents.a1b2c'))
      expect(line).toMatch(/^- `temporal workflow signal --namespace agents\.a1b2c --workflow-id wf-7 /);
    expect(temporalLines('default')).toEqual(temporalLines(undefined));
    for (const line of temporalLines('default')) expect(line).not.toContain('--namespace');
  });
});

describe('answerCommands', () => {
  it('puts the namespace on the reply signal too, shell-quoted', () => {
    const [, signal] = answerCommands('wf-8', { requestId: 'req-2', kind: 'input' }, "it's");
    expect(signal).toMatch(/^temporal workflow signal --namespace 'it'\\''s' --workflow-id wf-8 --name reply /);
  });
});
