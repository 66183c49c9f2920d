// Another process on the same release store: takes the environment lock of argv[2], says "held",
// and on a line on stdin appends "other process released" to the journal argv[3] and releases it.
import { appendFile } from 'node:fs/promises';
import { withEnvironmentLock } from '../../../activities/deploybot/environment-lock';

const [key, journal] = process.argv.slice(2) as [string, string];
void withEnvironmentLock(key, async () => {
  console.log('held');
  await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));
  await appendFile(journal, 'other process released\n');
}).then(() => process.exit(0));
