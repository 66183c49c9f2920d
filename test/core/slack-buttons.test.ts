import { argsDigest } from '../../core/digest';
import {
  decodeButtonValue,
  digestOfShownArgs,
  encodeButtonValue,
  type SlackButtonValue,
} from '../../core/slack-buttons';
import { pendingAsk } from '../../core/waiting';

const target: SlackButtonValue = {
  workflowId: 'deploybot-1',
  requestId: '35bbedf7-caf3-4e87-9688-acf492cf8f7b',
  argsDigest: argsDigest({ ref: 'main' }),
};

test.each([
  { ref: 'main' },
  { sha: '0123abcd', environment: 'production', notes: 'ünïcode, "quotes" and spaces' },
  { nested: { b: 1, a: [2, { y: null, x: true }] } },
])('the digest of the arguments an ask shows is the digest the request holds: %j', (args) => {
  const ask = pendingAsk({ kind: 'approval', tool: 'deploy_to_production', args });
  expect(digestOfShownArgs(ask)).toBe(argsDigest(args));
});

test.each(['deploy_to_production', 'deploy_to_production [1,2]', 'deploy_to_production {"ref":', 'Which environment?'])(
  'an ask that shows no object of arguments has no digest: %s',
  (ask) => {
    expect(digestOfShownArgs(ask)).toBeUndefined();
  },
);

test('a button value names the run, the request and the digest, and reads back as the same', () => {
  expect(decodeButtonValue(encodeButtonValue(target))).toEqual(target);
});

test.each([
  ['not JSON', 'approve'],
  ['no digest', JSON.stringify({ workflowId: 'w', requestId: 'r' })],
  ['a digest of another form', JSON.stringify({ ...target, argsDigest: 'md5:abc' })],
  ['an extra field', JSON.stringify({ ...target, by: 'alice' })],
  ['nothing', undefined],
])('a button value with %s names no request', (_case, value) => {
  expect(decodeButtonValue(value)).toBeUndefined();
});
