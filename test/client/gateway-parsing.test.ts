import { classifyGithubDelivery } from '../../client/gateway/github-webhook';
import { parseSlackCommand } from '../../client/gateway/slack-commands';
import { gatewayAddress, isLoopback } from '../../client/gateway/start-gateway';
import { parseConfig } from '../../core/config';

describe('classifyGithubDelivery', () => {
  const merged = { action: 'closed', pull_request: { merged: true, merge_commit_sha: 'abc123', merged_by: null }, sender: { login: 'octocat' } };

  it('deploys a merge commit; the merger, else the sender, is who asked', () => {
    expect(classifyGithubDelivery('pull_request', merged)).toEqual({ deploy: { ref: 'abc123', requestedBy: 'octocat', repo: undefined } });
    const withMerger = { ...merged, pull_request: { ...merged.pull_request, merged_by: { login: 'hubot' } }, repository: { full_name: 'acme/shop' } };
    expect(classifyGithubDelivery('pull_request', withMerger)).toEqual({ deploy: { ref: 'abc123', requestedBy: 'hubot', repo: 'acme/shop' } });
  });

  it('ignores other events and pull requests that were not merged', () => {
    expect(classifyGithubDelivery('ping', { zen: 'hi' })).toEqual({ ignored: expect.stringContaining('"ping"') });
    expect(classifyGithubDelivery('pull_request', { ...merged, action: 'reopened' })).toEqual({ ignored: expect.stringContaining('"reopened"') });
  });
});

describe('parseSlackCommand', () => {
  it.each([
    ['/deploy', ' main ', { kind: 'deploy', ref: 'main' }],
    ['/tfa', 'approve deploy-1', { kind: 'approve', workflowId: 'deploy-1' }],
    ['/tfa', 'reject deploy-1 freeze until  Monday', { kind: 'reject', workflowId: 'deploy-1', reason: 'freeze until Monday' }],
  ])('%s %s', (command, text, expected) => {
    expect(parseSlackCommand(command, text)).toEqual(expected);
  });

  it.each([['/deploy', ''], ['/deploy', 'main now'], ['/tfa', 'reject deploy-1'], ['/tfa', 'approve'], ['/other', 'x']])(
    'answers %s %p with the usage',
    (command, text) => expect(parseSlackCommand(command, text)).toMatchObject({ kind: 'usage', text: expect.stringContaining('Usage:') }),
  );
});

describe('gatewayAddress', () => {
  it('binds 127.0.0.1:8787 by default, without a token', () => {
    expect(gatewayAddress(parseConfig({}))).toEqual({ host: '127.0.0.1', port: 8787, unauthenticated: true });
  });

  it('refuses a non-loopback host without a token, and allows it with one', () => {
    expect(() => gatewayAddress(parseConfig({ TFA_GATEWAY_HOST: '0.0.0.0' }))).toThrow(/TFA_GATEWAY_HOST=0.0.0.0 would expose the gateway without auth: set TFA_GATEWAY_TOKEN/);
    const token = 'a'.repeat(32);
    expect(gatewayAddress(parseConfig({ TFA_GATEWAY_HOST: '0.0.0.0', TFA_GATEWAY_PORT: '9000', TFA_GATEWAY_TOKEN: token })))
      .toEqual({ host: '0.0.0.0', port: 9000, unauthenticated: false });
  });

  it('knows the loopback names', () => {
    expect(['localhost', '127.0.0.1', '127.1.2.3', '::1', '[::1]'].every(isLoopback)).toBe(true);
    expect(['0.0.0.0', '10.0.0.1', 'example.com', '::'].some(isLoopback)).toBe(false);
  });

  it('refuses a short token with how to make a good one', () => {
    expect(() => parseConfig({ TFA_GATEWAY_TOKEN: 'short' })).toThrow(/TFA_GATEWAY_TOKEN: use at least 16 characters/);
  });
});
