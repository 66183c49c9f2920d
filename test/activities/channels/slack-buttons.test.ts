import { buttonsFor, slackMessage } from '../../../activities/channels/slack-channel';
import { noticeText, type NotifyHumanInput } from '../../../activities/notify-human';
import { argsDigest } from '../../../core/digest';
import { decodeButtonValue, SLACK_BUTTON_ACTIONS, SLACK_DECISION_BLOCK } from '../../../core/slack-buttons';

const approval: NotifyHumanInput = {
  workflowId: 'deploy-main',
  agent: 'deploybot',
  requestId: 'req-1',
  kind: 'approval',
  summary: 'deploy_to_production {"ref":"0123abcd"}',
};

function noticeOf(input: NotifyHumanInput) {
  return { type: 'human_needed' as const, data: { ...input }, text: noticeText(input), commands: ['cmd'] };
}

test('an approval notice gets Approve and Reject buttons naming the request and the digest of the arguments shown', () => {
  const buttons = buttonsFor(noticeOf(approval));
  expect(buttons).toEqual({
    workflowId: 'deploy-main',
    requestId: 'req-1',
    argsDigest: argsDigest({ ref: '0123abcd' }),
  });

  const message = slackMessage(noticeText(approval), ['cmd'], buttons);
  const actions = message.blocks.find((block) => (block as { type: string }).type === 'actions') as {
    block_id: string;
    elements: Array<{ action_id: string; value: string }>;
  };
  expect(actions.block_id).toBe(SLACK_DECISION_BLOCK);
  expect(actions.elements.map((button) => button.action_id)).toEqual([
    SLACK_BUTTON_ACTIONS.approve,
    SLACK_BUTTON_ACTIONS.reject,
  ]);
  expect(actions.elements.map((button) => decodeButtonValue(button.value))).toEqual([buttons, buttons]);
  expect(JSON.stringify(message.blocks)).toContain(buttons!.argsDigest);
});

test('a question or an escalation for a reply gets no buttons, only the commands', () => {
  const question = { ...approval, kind: 'input' as const, summary: 'Which environment?' };
  expect(buttonsFor(noticeOf(question))).toBeUndefined();
  expect(buttonsFor(noticeOf({ ...approval, kind: 'escalation' }))).toBeUndefined();
  const message = slackMessage(noticeText(question), ['cmd'], undefined);
  expect(message.blocks.map((block) => (block as { type: string }).type)).toEqual(['section', 'section']);
});

test('the buttons name the digest the notice carries, even when the arguments shown are cut short', () => {
  const digest = argsDigest({ ref: '0123abcd', note: 'x'.repeat(5_000) });
  const cut = { ...approval, summary: 'deploy_to_production {"ref":"0123abcd","note":"xxx…', argsDigest: digest };
  expect(buttonsFor(noticeOf(cut))).toEqual({ workflowId: 'deploy-main', requestId: 'req-1', argsDigest: digest });
});
