import { spawn, type ChildProcess } from 'node:child_process';
import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { withEnvironmentLock } from '../../../activities/deploybot/environment-lock';

const root = path.resolve(__dirname, '../../..');
let dir: string;
let other: ChildProcess | undefined;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'tfa-lock-'));
});
afterEach(async () => {
  if (other?.exitCode === null) other.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

/** A second process (a worker replica) holding the lock of `key` until told to release it. */
function holdInOtherProcess(key: string, journal: string): Promise<ChildProcess> {
  // node itself with tsx as its loader: one process, so SIGKILL kills the lock holder.
  const script = 'test/activities/deploybot/hold-environment-lock.ts';
  const child = spawn(process.execPath, ['--import', 'tsx', script, key, journal], {
    cwd: root,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  other = child;
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('held') && resolve(child));
    child.once('exit', (code) => reject(new Error(`the lock holder exited with ${code}`)));
  });
}

const journalLines = async (journal: string) => (await readFile(journal, 'utf8')).trim().split('\n');

test('a deploy waits while another process (a worker replica on the same store) holds the environment lock', async () => {
  const key = path.join(dir, 'production');
  const journal = path.join(dir, 'journal');
  const child = await holdInOtherProcess(key, journal);
  const ours = withEnvironmentLock(key, () => appendFile(journal, 'this process ran\n'));
  // A lock that covers only this process lets ours run now; give it the chance to show, then release.
  await Promise.race([ours, new Promise((resolve) => setTimeout(resolve, 500))]);
  child.stdin!.write('release\n');
  await ours;
  expect(await journalLines(journal)).toEqual(['other process released', 'this process ran']);
});

test('a lock left by a process that was SIGKILLed is taken over, so a deploy retried elsewhere goes ahead', async () => {
  const key = path.join(dir, 'staging');
  const journal = path.join(dir, 'journal');
  const child = await holdInOtherProcess(key, journal);
  const gone = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await gone;
  await withEnvironmentLock(key, () => appendFile(journal, 'this process ran\n'));
  expect(await journalLines(journal)).toEqual(['this process ran']);
});
