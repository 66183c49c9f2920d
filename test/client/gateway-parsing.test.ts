import { classifyGithubDelivery } from '../../client/gateway/github-webhook';
import { parseSlackCommand } from '../../client/gateway/slack-commands';
import { codecCorsOrigins, gatewayAddress, isLoopback } from '../../client/gateway/start-gateway';
import { parseConfig } from '../../core/config';

describe('classifyGithubDelivery', () => {
  const target = { repository: 'acme/shop', branch: 'main' };
  const now = Date.parse('2026-06-01T12:00:00Z');
  const sha = 'c0ffee'.repeat(6) + 'c0ff';
  const merged = {
    action: 'closed',
    pull_request: {
      merged: true,
      merge_commit_sha: sha,
      merged_by: null,
      merged_at: '2026-06-01T11:59:00Z',
      base: { ref: 'main' },
    },
    repository: { full_name: 'Acme/Shop' },
    sender: { login: 'octocat' },
  };

  it('deploys a merge commit of the configured repository; the merger, else the sender, is who asked', () => {
    expect(classifyGithubDelivery('pull_request', merged, target, now)).toEqual({
      deploy: { ref: sha, requestedBy: 'octocat', repo: 'acme/shop' },
    });
    const withMerger = { ...merged, pull_request: { ...merged.pull_request, merged_by: { login: 'hubot' } } };
    expect(classifyGithubDelivery('pull_request', withMerger, target, now)).toEqual({
      deploy: { ref: sha, requestedBy: 'hubot', repo: 'acme/shop' },
    });
  });

  it('ignores other events and pull requests that were not merged', () => {
    expect(classifyGithubDelivery('ping', { zen: 'hi' }, target, now)).toEqual({
      ignored: expect.stringContaining('"ping"'),
    });
    expect(classifyGithubDelivery('pull_request', { ...merged, action: 'reopened' }, target, now)).toEqual({
      ignored: expect.stringContaining('"reopened"'),
    });
  });

  it('ignores merges into another branch and merges reported from another repository', () => {
    const intoRelease = { ...merged, pull_request: { ...merged.pull_request, base: { ref: 'release' } } };
    expect(classifyGithubDelivery('pull_request', intoRelease, target, now)).toEqual({
      ignored: expect.stringContaining('merge into release'),
    });
    expect(classifyGithubDelivery('pull_request', intoRelease, { ...target, branch: 'release' }, now)).toHaveProperty(
      'deploy',
    );
    const elsewhere = { ...merged, repository: { full_name: 'acme/shop-fork' } };
    expect(classifyGithubDelivery('pull_request', elsewhere, target, now)).toEqual({
      ignored: expect.stringContaining('acme/shop-fork'),
    });
  });

  it('ignores a merge more than a day old, which Temporal may no longer remember deploying', () => {
    const dayAndMinute = now + 24 * 60 * 60 * 1000 + 60_000;
    expect(classifyGithubDelivery('pull_request', merged, target, dayAndMinute)).toEqual({
      ignored: expect.stringContaining('more than a day'),
    });
    const noDate = { ...merged, pull_request: { ...merged.pull_request, merged_at: null } };
    expect(classifyGithubDelivery('pull_request', noDate, target, now)).toEqual({
      ignored: expect.stringContaining('no merged_at'),
    });
  });
});

describe('GitHub settings', () => {
  it('require TFA_GITHUB_REPOSITORY with TFA_GITHUB_WEBHOOK_SECRET, and default the deploy branch to main', () => {
    expect(() => parseConfig({ TFA_GITHUB_WEBHOOK_SECRET: 'secret' })).toThrow(
      /TFA_GITHUB_REPOSITORY: required with TFA_GITHUB_WEBHOOK_SECRET/,
    );
    const config = parseConfig({ TFA_GITHUB_WEBHOOK_SECRET: 'secret', TFA_GITHUB_REPOSITORY: 'acme/shop' });
    expect(config).toMatchObject({ TFA_GITHUB_REPOSITORY: 'acme/shop', TFA_DEPLOY_BRANCH: 'main' });
  });

  it('take only Standard Webhooks secrets for events and the webhook channel', () => {
    expect(() => parseConfig({ TFA_EVENTS_SECRET: 'events-secret' })).toThrow(
      /TFA_EVENTS_SECRET: use a Standard Webhooks secret/,
    );
    const secret = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
    expect(parseConfig({ TFA_EVENTS_SECRET: secret, TFA_NOTIFY_WEBHOOK_SECRET: secret }).TFA_EVENTS_SECRET).toBe(
      secret,
    );
  });
});

describe('parseSlackCommand', () => {
  it.each([
    ['/deploy', ' main ', { kind: 'deploy', ref: 'main' }],
    ['/tfa', 'approve deploy-1 req-1', { kind: 'approve', workflowId: 'deploy-1', requestId: 'req-1' }],
    [
      '/tfa',
      'reject deploy-1 req-1 freeze until  Monday',
      { kind: 'reject', workflowId: 'deploy-1', requestId: 'req-1', reason: 'freeze until Monday' },
    ],
  ])('%s %s', (command, text, expected) => {
    expect(parseSlackCommand(command, text)).toEqual(expected);
  });

  it.each([
    ['/deploy', ''],
    ['/deploy', 'main now'],
    ['/tfa', 'reject deploy-1 req-1'],
    ['/tfa', 'approve deploy-1'],
    ['/tfa', 'approve'],
    ['/other', 'x'],
  ])('answers %s %p with the usage', (command, text) =>
    expect(parseSlackCommand(command, text)).toMatchObject({ kind: 'usage', text: expect.stringContaining('Usage:') }),
  );
});

describe('gatewayAddress', () => {
  it('binds 127.0.0.1:8787 by default, without a token', () => {
    expect(gatewayAddress(parseConfig({}))).toEqual({ host: '127.0.0.1', port: 8787, unauthenticated: true });
  });

  it('refuses a non-loopback host without a token, and allows it with one', () => {
    expect(() => gatewayAddress(parseConfig({ TFA_GATEWAY_HOST: '0.0.0.0' }))).toThrow(
      /TFA_GATEWAY_HOST=0.0.0.0 would expose the gateway without auth: set TFA_GATEWAY_TOKEN/,
    );
    const token = 'a'.repeat(32);
    expect(
      gatewayAddress(parseConfig({ TFA_GATEWAY_HOST: '0.0.0.0', TFA_GATEWAY_PORT: '9000', TFA_GATEWAY_TOKEN: token })),
    ).toEqual({ host: '0.0.0.0', port: 9000, unauthenticated: false });
  });

  it('knows the loopback names', () => {
    expect(['localhost', '127.0.0.1', '127.1.2.3', '::1', '[::1]'].every(isLoopback)).toBe(true);
    expect(['0.0.0.0', '10.0.0.1', 'example.com', '::'].some(isLoopback)).toBe(false);
  });

  it('refuses a short token with how to make a good one', () => {
    expect(() => parseConfig({ TFA_GATEWAY_TOKEN: 'short' })).toThrow(/TFA_GATEWAY_TOKEN: use at least 16 characters/);
  });
});

describe('codecCorsOrigins', () => {
  test('defaults to the Web UI origin and its loopback twin', () => {
    expect(codecCorsOrigins(parseConfig({}))).toEqual(['http://localhost:8233', 'http://127.0.0.1:8233']);
    expect(codecCorsOrigins(parseConfig({ TFA_WEB_UI_URL: 'https://temporal.example.com/ui' }))).toEqual([
      'https://temporal.example.com',
    ]);
  });

  test('TFA_CODEC_CORS_ORIGINS replaces the default', () => {
    expect(
      codecCorsOrigins(parseConfig({ TFA_CODEC_CORS_ORIGINS: 'https://a.example, https://b.example:8443' })),
    ).toEqual(['https://a.example', 'https://b.example:8443']);
    expect(() => parseConfig({ TFA_CODEC_CORS_ORIGINS: 'http://localhost:8233/' })).toThrow(
      /TFA_CODEC_CORS_ORIGINS.*scheme:\/\/host\[:port\] with no path/,
    );
  });
});
