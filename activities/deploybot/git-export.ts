import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { ReleaseStoreError } from './release-store-error';

const execFileAsync = promisify(execFile);

/** Resolves `ref` to a full commit SHA. execFile (no shell) plus the leading-dash check keep refs from becoming options. */
export async function resolveCommit(repo: string, ref: string): Promise<string> {
  assertSafeRef(ref);
  try {
    const { stdout } = await execFileAsync('git', ['-C', repo, 'rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
    return stdout.trim();
  } catch (error) {
    throw describeRevParseFailure(repo, ref, error);
  }
}

function assertSafeRef(ref: string): void {
  if (ref.trim() === '') {
    throw new ReleaseStoreError('The ref to deploy is empty. Pass a branch, tag or commit SHA.');
  }
  if (ref.startsWith('-')) {
    throw new ReleaseStoreError(
      `Refusing ref "${ref}": refs may not start with "-". Pass a branch, tag or commit SHA.`,
    );
  }
  if (/[\u0000-\u001f\u007f]/.test(ref)) {
    throw new ReleaseStoreError(
      `Refusing ref ${JSON.stringify(ref)}: it contains control characters. Pass a branch, tag or commit SHA.`,
    );
  }
}

function describeRevParseFailure(repo: string, ref: string, error: unknown): ReleaseStoreError {
  const failure = error as { code?: unknown; stderr?: unknown };
  // `--verify --quiet` exits 1 with no output exactly when the ref does not name a commit.
  if (failure.code === 1) {
    return new ReleaseStoreError(
      `Unknown ref "${ref}": it does not name a commit in ${repo}. Use an existing branch, tag or commit SHA (push or fetch it first if it is new).`,
    );
  }
  const detail = String(failure.stderr ?? (error instanceof Error ? error.message : error)).trim();
  return new ReleaseStoreError(
    `git could not resolve "${ref}" in ${repo}: ${detail}. Check that the path is a readable git repository.`,
    { cause: error },
  );
}

interface ProcessOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  spawnError?: Error;
}

/** Writes the tree of `sha` into `destination` (an existing, empty directory) via `git archive | tar -x`. */
export async function exportCommitTree(repo: string, sha: string, destination: string): Promise<void> {
  const archive = spawn('git', ['-C', repo, 'archive', '--format=tar', sha], { stdio: ['ignore', 'pipe', 'pipe'] });
  const extract = spawn('tar', ['-x', '-f', '-', '-C', destination], { stdio: ['pipe', 'ignore', 'pipe'] });
  // If tar dies early, writes fail with EPIPE; the exit codes below report the real cause.
  extract.stdin?.on('error', () => undefined);
  archive.on('error', () => extract.stdin?.end());
  archive.stdout?.pipe(extract.stdin!);

  const [archived, extracted] = await Promise.all([waitForExit(archive), waitForExit(extract)]);
  for (const [command, outcome] of [
    ['git archive', archived],
    ['tar -x', extracted],
  ] as const) {
    if (outcome.spawnError || outcome.code !== 0) {
      const reason = outcome.spawnError?.message ?? (outcome.stderr.trim() || `exit ${outcome.code ?? outcome.signal}`);
      throw new ReleaseStoreError(
        `Exporting commit ${sha} failed at ${command}: ${reason}. Check that git and tar are installed and the disk has space.`,
      );
    }
  }
}

function waitForExit(child: ChildProcess): Promise<ProcessOutcome> {
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve) => {
    child.on('error', (spawnError) => resolve({ code: null, signal: null, stderr, spawnError }));
    child.on('close', (code, signal) => resolve({ code, signal, stderr }));
  });
}
