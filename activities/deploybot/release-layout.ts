import { randomUUID } from 'node:crypto';
import { lstat, mkdir, mkdtemp, readdir, readlink, rename, rm, symlink } from 'node:fs/promises';
import path from 'node:path';
import { exportCommitTree } from './git-export';
import { ReleaseStoreError } from './release-store-error';

/** Where one environment keeps its files: <root>/<env>/{releases/<sha>, current, history.jsonl}. */
export interface EnvironmentLayout {
  readonly envDir: string;
  readonly releasesDir: string;
  readonly currentLink: string;
  readonly historyFile: string;
}

export function layoutFor(root: string, environment: string): EnvironmentLayout {
  const envDir = path.join(path.resolve(root), environment);
  return {
    envDir,
    releasesDir: path.join(envDir, 'releases'),
    currentLink: path.join(envDir, 'current'),
    historyFile: path.join(envDir, 'history.jsonl'),
  };
}

export function releasePathFor(layout: EnvironmentLayout, sha: string): string {
  return path.join(layout.releasesDir, sha);
}

/** The SHA `current` points at, or null before the first deploy. */
export async function readCurrentSha(layout: EnvironmentLayout): Promise<string | null> {
  try {
    return path.basename(await readlink(layout.currentLink));
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return null;
    if (errorCode(error) === 'EINVAL') {
      throw new ReleaseStoreError(
        `${layout.currentLink} exists but is not a symlink. Move it aside so deploys can manage it.`,
      );
    }
    throw error;
  }
}

/** Points `current` at the release; rename() over the old link means readers never see it missing. */
export async function switchCurrent(layout: EnvironmentLayout, sha: string): Promise<void> {
  const temporaryLink = path.join(layout.envDir, `.current-${randomUUID()}`);
  // Relative target, so the whole root can be moved or mounted elsewhere.
  await symlink(path.join('releases', sha), temporaryLink);
  try {
    await rename(temporaryLink, layout.currentLink);
  } catch (error) {
    await rm(temporaryLink, { force: true });
    throw error;
  }
}

/** Makes sure releases/<sha> holds the commit's tree. Extracts beside it and renames, so no half release is ever visible. */
export async function ensureRelease(layout: EnvironmentLayout, repo: string, sha: string): Promise<string> {
  const releasePath = releasePathFor(layout, sha);
  if (await exists(releasePath)) return releasePath;

  await mkdir(layout.releasesDir, { recursive: true });
  const staging = await mkdtemp(path.join(layout.releasesDir, `.partial-${sha}-`));
  try {
    await exportCommitTree(repo, sha, staging);
    await rename(staging, releasePath);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    // Another run finished the same release first: its copy is complete and identical.
    if (!(await exists(releasePath))) throw error;
  }
  return releasePath;
}

export interface ReleaseDirectory {
  sha: string;
  modifiedAt: Date;
}

/** Finished releases only: in-progress extractions are dot-prefixed and skipped. */
export async function listReleaseDirectories(layout: EnvironmentLayout): Promise<ReleaseDirectory[]> {
  let names: string[];
  try {
    names = await readdir(layout.releasesDir);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return [];
    throw error;
  }
  const releases = names.filter((name) => !name.startsWith('.'));
  return Promise.all(
    releases.map(async (sha) => ({ sha, modifiedAt: (await lstat(path.join(layout.releasesDir, sha))).mtime })),
  );
}

export async function exists(filePath: string): Promise<boolean> {
  try {
    await lstat(filePath);
    return true;
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return false;
    throw error;
  }
}

export function errorCode(error: unknown): unknown {
  return (error as { code?: unknown } | null)?.code;
}

const FULL_SHA = /^[0-9a-f]{40}$/;

/** A pinned commit is a full 40-character lowercase SHA: it names one commit and, used as a path, never escapes. */
export function assertFullSha(sha: unknown): string {
  if (typeof sha !== 'string' || !FULL_SHA.test(sha)) {
    throw new ReleaseStoreError(
      `${JSON.stringify(sha)} is not a full commit SHA. Pass the 40-character SHA you were given.`,
    );
  }
  return sha;
}
