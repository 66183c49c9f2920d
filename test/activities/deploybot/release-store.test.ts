import { execFile } from 'node:child_process';
import { lstat, mkdtemp, readdir, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  createReleaseStore,
  ReleaseStoreError,
  type ReleaseStoreOptions,
} from '../../../activities/deploybot/release-store';

const execFileAsync = promisify(execFile);

const CHECK_SCRIPT = `#!/bin/sh
echo "checking status"
if grep -q '^ok$' status.txt; then echo "status ok"; exit 0; fi
echo "status is broken" >&2
exit 3
`;

let workDir: string;
let repo: string;
let root: string;
let firstSha: string;
let secondSha: string;

async function git(...args: string[]): Promise<string> {
  const { stdout } = await execFileAsync('git', ['-C', repo, '-c', 'commit.gpgsign=false', ...args], {
    env: {
      ...process.env,
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_AUTHOR_NAME: 'Test',
      GIT_AUTHOR_EMAIL: 'test@example.com',
      GIT_COMMITTER_NAME: 'Test',
      GIT_COMMITTER_EMAIL: 'test@example.com',
    },
  });
  return stdout.trim();
}

async function commit(status: string, message: string): Promise<string> {
  await writeFile(path.join(repo, 'status.txt'), `${status}\n`);
  await git('add', '.');
  await git('commit', '-q', '-m', message);
  return git('rev-parse', 'HEAD');
}

function storeWith(overrides: Partial<ReleaseStoreOptions> = {}) {
  return createReleaseStore({ repo, root, testCommand: 'sh check.sh', ...overrides });
}

async function historyLines(environment = 'staging'): Promise<Array<Record<string, unknown>>> {
  const text = await readFile(path.join(root, environment, 'history.jsonl'), 'utf8');
  return text
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

beforeAll(async () => {
  workDir = await mkdtemp(path.join(os.tmpdir(), 'release-store-'));
  repo = path.join(workDir, 'repo');
  await execFileAsync('git', ['init', '-q', '-b', 'main', repo]);
  await writeFile(path.join(repo, 'check.sh'), CHECK_SCRIPT, { mode: 0o755 });
  firstSha = await commit('ok', 'first: healthy');
  await git('tag', 'v1');
  secondSha = await commit('broken', 'second: broken');
});

beforeEach(async () => {
  root = await mkdtemp(path.join(workDir, 'deploy-'));
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

describe('deploy', () => {
  it('exports the commit into releases/<sha> and points current at it', async () => {
    const result = await storeWith().deploy({ environment: 'staging', ref: 'v1', operationId: 'op-1' });

    expect(result).toEqual({
      environment: 'staging',
      ref: 'v1',
      sha: firstSha,
      releasePath: path.join(root, 'staging', 'releases', firstSha),
      changed: true,
      previousSha: null,
    });
    expect(await readFile(path.join(result.releasePath, 'status.txt'), 'utf8')).toBe('ok\n');
    expect(await readlink(path.join(root, 'staging', 'current'))).toBe(path.join('releases', firstSha));
    expect(await historyLines()).toEqual([
      expect.objectContaining({ sha: firstSha, operationId: 'op-1', at: expect.any(String) }),
    ]);
    expect(await readdir(path.join(root, 'staging'))).toEqual(
      expect.not.arrayContaining([expect.stringMatching(/^\./)]),
    );
  });

  it('treats redeploying the current ref as a no-op', async () => {
    const store = storeWith();
    await store.deploy({ environment: 'staging', ref: 'v1', operationId: 'op-1' });
    const again = await store.deploy({ environment: 'staging', ref: firstSha, operationId: 'op-2' });

    expect(again).toMatchObject({ sha: firstSha, changed: false, previousSha: firstSha });
    expect(await historyLines()).toHaveLength(1);
  });

  it('deploys once per operationId, even when the retry asks for another ref', async () => {
    const store = storeWith();
    await store.deploy({ environment: 'staging', ref: 'v1', operationId: 'op-1' });
    const retry = await store.deploy({ environment: 'staging', ref: 'main', operationId: 'op-1' });

    expect(retry).toMatchObject({ sha: firstSha, changed: false, previousSha: null });
    expect(await historyLines()).toHaveLength(1);
    expect(await readlink(path.join(root, 'staging', 'current'))).toBe(path.join('releases', firstSha));
  });

  it('finishes a switch that a crash cut short when the activity retries', async () => {
    const store = storeWith();
    await store.deploy({ environment: 'staging', ref: 'v1', operationId: 'op-1' });
    await store.deploy({ environment: 'staging', ref: 'main', operationId: 'op-2' });
    // As if the process died after writing history but before moving the link.
    const currentLink = path.join(root, 'staging', 'current');
    await rm(currentLink);
    await symlink(path.join('releases', firstSha), currentLink);

    const retry = await store.deploy({ environment: 'staging', ref: 'main', operationId: 'op-2' });

    expect(retry).toMatchObject({ sha: secondSha, changed: false, previousSha: firstSha });
    expect(await readlink(currentLink)).toBe(path.join('releases', secondSha));
    expect(await historyLines()).toHaveLength(2);
  });

  it('switches to a second ref and reports the previous sha', async () => {
    const store = storeWith();
    await store.deploy({ environment: 'staging', ref: 'v1', operationId: 'op-1' });
    const second = await store.deploy({ environment: 'staging', ref: 'main', operationId: 'op-2' });

    expect(second).toMatchObject({ sha: secondSha, changed: true, previousSha: firstSha });
    expect(await readlink(path.join(root, 'staging', 'current'))).toBe(path.join('releases', secondSha));
    expect((await historyLines()).map((entry) => entry.sha)).toEqual([firstSha, secondSha]);
  });

  it('keeps environments apart', async () => {
    const store = storeWith();
    await store.deploy({ environment: 'staging', ref: 'main', operationId: 'op-1' });
    const production = await store.deploy({ environment: 'production', ref: 'v1', operationId: 'op-2' });

    expect(production).toMatchObject({ sha: firstSha, previousSha: null, changed: true });
  });

  it('leaves one complete release when deploys race', async () => {
    const store = storeWith();
    const results = await Promise.all(
      ['a', 'b', 'c'].map((id) => store.deploy({ environment: 'staging', ref: 'v1', operationId: id })),
    );

    expect(results.filter((result) => result.changed)).toHaveLength(1);
    expect(await readdir(path.join(root, 'staging', 'releases'))).toEqual([firstSha]);
    expect(await historyLines()).toHaveLength(1);
  });

  it('rejects an unknown ref with an error naming it', async () => {
    const attempt = storeWith().deploy({ environment: 'staging', ref: 'no-such-branch', operationId: 'op-1' });

    await expect(attempt).rejects.toThrow(ReleaseStoreError);
    await expect(attempt).rejects.toThrow(/Unknown ref "no-such-branch"/);
    await expect(lstat(path.join(root, 'staging', 'current'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('rejects refs that look like options', async () => {
    const attempt = storeWith().deploy({ environment: 'staging', ref: '--output=x', operationId: 'op-1' });

    await expect(attempt).rejects.toThrow(ReleaseStoreError);
    await expect(attempt).rejects.toThrow(/may not start with "-"/);
    expect(await readdir(repo)).not.toContain('x');
  });

  it('rejects an unknown environment', async () => {
    const store = storeWith();
    const attempt = store.deploy({ environment: 'qa' as 'staging', ref: 'v1', operationId: 'op-1' });

    await expect(attempt).rejects.toThrow(ReleaseStoreError);
    await expect(attempt).rejects.toThrow(/Unknown environment "qa"/);
  });
});

describe('runTests', () => {
  it('passes on a healthy release', async () => {
    const store = storeWith();
    await store.deploy({ environment: 'staging', ref: 'v1', operationId: 'op-1' });
    const run = await store.runTests({ environment: 'staging' });

    expect(run).toMatchObject({ environment: 'staging', sha: firstSha, passed: true, exitCode: 0 });
    expect(run.output).toBe('checking status\nstatus ok');
    expect(run.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('fails on a broken release with the exit code and stderr', async () => {
    const store = storeWith();
    await store.deploy({ environment: 'staging', ref: 'main', operationId: 'op-1' });
    const run = await store.runTests({ environment: 'staging' });

    expect(run).toMatchObject({ sha: secondSha, passed: false, exitCode: 3 });
    expect(run.output).toContain('status is broken');
  });

  it('compacts long output to the last lines with a note of what was cut', async () => {
    const store = storeWith({ testCommand: 'seq 1 5000' });
    await store.deploy({ environment: 'staging', ref: 'v1', operationId: 'op-1' });
    const run = await store.runTests({ environment: 'staging' });

    const lines = run.output.split('\n');
    expect(lines[0]).toMatch(/^\[\.\.\. 4960 earlier lines \(\d+ chars\) cut/);
    expect(lines.slice(1)).toEqual(Array.from({ length: 40 }, (_, index) => String(4961 + index)));
  });

  it('caps very long lines by characters', async () => {
    const store = storeWith({ testCommand: `head -c 20000 /dev/zero | tr '\\0' x` });
    await store.deploy({ environment: 'staging', ref: 'v1', operationId: 'op-1' });
    const run = await store.runTests({ environment: 'staging' });

    expect(run.output.length).toBeLessThan(4200);
    expect(run.output).toMatch(/^\[\.\.\. 16000 earlier chars cut \.\.\.\]\nx{4000}$/);
  });

  it('kills the command when it times out', async () => {
    const store = storeWith({ testCommand: 'echo started; sleep 30 & sleep 30', testTimeoutMs: 300 });
    await store.deploy({ environment: 'staging', ref: 'v1', operationId: 'op-1' });
    const run = await store.runTests({ environment: 'staging' });

    expect(run).toMatchObject({ passed: false, exitCode: null });
    expect(run.output).toContain('started');
    expect(run.output).toContain('timed out after 300 ms');
    expect(run.durationMs).toBeLessThan(5000);
  });

  it('refuses when nothing is deployed', async () => {
    await expect(storeWith().runTests({ environment: 'staging' })).rejects.toThrow(/No current release in staging/);
  });
});

describe('listReleases', () => {
  it('lists releases newest first with current marked', async () => {
    const store = storeWith();
    expect(await store.listReleases({ environment: 'staging' })).toEqual([]);

    await store.deploy({ environment: 'staging', ref: 'v1', operationId: 'op-1' });
    await store.deploy({ environment: 'staging', ref: 'main', operationId: 'op-2' });
    const releases = await store.listReleases({ environment: 'staging' });

    expect(releases).toEqual([
      { sha: secondSha, current: true, deployedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) },
      { sha: firstSha, current: false, deployedAt: expect.any(String) },
    ]);
  });
});

describe('rollback', () => {
  it('goes back to the previous release, once per operationId', async () => {
    const store = storeWith();
    await store.deploy({ environment: 'staging', ref: 'v1', operationId: 'op-1' });
    await store.deploy({ environment: 'staging', ref: 'main', operationId: 'op-2' });

    const rolledBack = await store.rollback({ environment: 'staging', operationId: 'rb-1' });
    const retried = await store.rollback({ environment: 'staging', operationId: 'rb-1' });

    expect(rolledBack).toEqual({ environment: 'staging', fromSha: secondSha, toSha: firstSha, changed: true });
    expect(retried).toEqual({ ...rolledBack, changed: false });
    expect(await readlink(path.join(root, 'staging', 'current'))).toBe(path.join('releases', firstSha));
    expect(await historyLines()).toHaveLength(3);
    expect((await store.listReleases({ environment: 'staging' }))[0]).toMatchObject({ sha: firstSha, current: true });
  });

  it('walks further back on repeated rollbacks instead of toggling', async () => {
    const store = storeWith();
    await store.deploy({ environment: 'staging', ref: 'v1', operationId: 'op-1' });
    await store.deploy({ environment: 'staging', ref: 'main', operationId: 'op-2' });
    await store.rollback({ environment: 'staging', operationId: 'rb-1' });

    await expect(store.rollback({ environment: 'staging', operationId: 'rb-2' })).rejects.toThrow(
      /Nothing to roll back to/,
    );
  });

  it('fails clearly with only one release', async () => {
    const store = storeWith();
    await store.deploy({ environment: 'staging', ref: 'v1', operationId: 'op-1' });
    const attempt = store.rollback({ environment: 'staging', operationId: 'rb-1' });

    await expect(attempt).rejects.toThrow(ReleaseStoreError);
    await expect(attempt).rejects.toThrow(/Nothing to roll back to in staging/);
  });

  it('refuses to reuse a deploy operationId', async () => {
    const store = storeWith();
    await store.deploy({ environment: 'staging', ref: 'v1', operationId: 'op-1' });
    await store.deploy({ environment: 'staging', ref: 'main', operationId: 'op-2' });

    await expect(store.rollback({ environment: 'staging', operationId: 'op-2' })).rejects.toThrow(
      /already used for a deploy/,
    );
  });
});

describe('ReleaseStoreError', () => {
  it('carries its class name', () => {
    expect(new ReleaseStoreError('x').name).toBe('ReleaseStoreError');
  });
});
