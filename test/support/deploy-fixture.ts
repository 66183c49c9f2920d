import { execFile } from 'node:child_process';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** The test command DeployBot runs in a release: passes when status.txt says ok. */
export const FIXTURE_TEST_COMMAND = 'sh check.sh';

const CHECK_SCRIPT = `#!/bin/sh
if grep -q '^ok$' status.txt; then echo "all 3 checks passed"; exit 0; fi
echo "check failed: status.txt is not ok" >&2
exit 1
`;

export interface DeployFixture {
  /** A git repository with branch `main` (tests pass) and branch `broken` (tests fail). */
  repo: string;
  /** An empty release store root. */
  root: string;
  sha(ref: string): Promise<string>;
  /**
   * Commits `files` on `branch` (created from main when new, so it moves when it exists) and returns
   * the new SHA; `main` stays checked out. A `{ symlinkTo }` value commits a symlink.
   */
  commitOn(branch: string, files: Record<string, string | { symlinkTo: string }>): Promise<string>;
  cleanup(): Promise<void>;
}

export async function createDeployFixture(): Promise<DeployFixture> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tfa-deploy-'));
  const repo = path.join(dir, 'repo');
  const git = async (...args: string[]) =>
    (
      await execFileAsync('git', ['-C', repo, '-c', 'commit.gpgsign=false', ...args], {
        env: {
          ...process.env,
          GIT_CONFIG_GLOBAL: '/dev/null',
          GIT_AUTHOR_NAME: 'Test',
          GIT_AUTHOR_EMAIL: 't@example.com',
          GIT_COMMITTER_NAME: 'Test',
          GIT_COMMITTER_EMAIL: 't@example.com',
        },
      })
    ).stdout.trim();
  await execFileAsync('git', ['init', '-q', '-b', 'main', repo]);
  await writeFile(path.join(repo, 'check.sh'), CHECK_SCRIPT, { mode: 0o755 });
  await writeFile(path.join(repo, 'status.txt'), 'ok\n');
  await git('add', '.');
  await git('commit', '-q', '-m', 'healthy');
  await git('checkout', '-q', '-b', 'broken');
  await writeFile(path.join(repo, 'status.txt'), 'broken\n');
  await git('commit', '-q', '-am', 'broken');
  await git('checkout', '-q', 'main');
  return {
    repo,
    root: path.join(dir, 'deploy'),
    sha: (ref) => git('rev-parse', ref),
    async commitOn(branch, files) {
      const exists = await git('branch', '--list', branch);
      await git('checkout', '-q', ...(exists ? [branch] : ['-b', branch, 'main']));
      for (const [name, content] of Object.entries(files)) {
        const file = path.join(repo, name);
        await rm(file, { force: true });
        if (typeof content === 'string') await writeFile(file, content);
        else await symlink(content.symlinkTo, file);
      }
      await git('add', '.');
      await git('commit', '-q', '-m', `change ${Object.keys(files).join(', ')} on ${branch}`);
      const sha = await git('rev-parse', 'HEAD');
      await git('checkout', '-q', 'main');
      return sha;
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}
