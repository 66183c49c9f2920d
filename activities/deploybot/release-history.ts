import { appendFile, open, readFile } from 'node:fs/promises';
import { z } from 'zod';
import { errorCode } from './release-layout';

/** One line of history.jsonl: a switch of `current` that changed something. */
const historyEntrySchema = z.object({
  kind: z.enum(['deploy', 'rollback']).default('deploy'),
  sha: z.string(),
  previousSha: z.string().nullable().default(null),
  operationId: z.string(),
  at: z.string(),
  ref: z.string().optional(),
});

export type HistoryEntry = z.infer<typeof historyEntrySchema>;

/** Reads the history oldest first. Unparseable lines (e.g. a write torn by a crash) are skipped. */
export async function readHistory(historyFile: string): Promise<HistoryEntry[]> {
  let text: string;
  try {
    text = await readFile(historyFile, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return [];
    throw error;
  }
  return text.split('\n').flatMap((line) => {
    if (line.trim() === '') return [];
    try {
      const parsed = historyEntrySchema.safeParse(JSON.parse(line));
      return parsed.success ? [parsed.data] : [];
    } catch {
      return [];
    }
  });
}

export async function appendHistory(historyFile: string, entry: HistoryEntry): Promise<void> {
  // A torn last line without its newline would swallow this entry; start a fresh line instead.
  const separator = (await endsWithNewline(historyFile)) ? '' : '\n';
  await appendFile(historyFile, `${separator}${JSON.stringify(entry)}\n`, 'utf8');
}

async function endsWithNewline(filePath: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(filePath, 'r');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return true;
    throw error;
  }
  try {
    const { size } = await handle.stat();
    if (size === 0) return true;
    const { buffer } = await handle.read(Buffer.alloc(1), 0, 1, size - 1);
    return buffer[0] === 0x0a;
  } finally {
    await handle.close();
  }
}

export function findOperation(
  history: HistoryEntry[],
  operationId: string,
): { entry: HistoryEntry; isLatest: boolean } | null {
  for (let index = history.length - 1; index >= 0; index--) {
    const entry = history[index]!;
    if (entry.operationId === operationId) return { entry, isLatest: index === history.length - 1 };
  }
  return null;
}

/**
 * The release that was current before the present one. History is replayed as a stack
 * (deploy pushes, rollback pops) so repeated rollbacks walk further back instead of toggling.
 */
export function rollbackTarget(history: HistoryEntry[]): string | null {
  const stack: string[] = [];
  for (const entry of history) {
    if (entry.kind === 'rollback') stack.pop();
    else stack.push(entry.sha);
  }
  return stack.length >= 2 ? stack[stack.length - 2]! : null;
}

/** When each SHA last became current, and its position in history (to order same-millisecond switches). */
export function lastSwitchBySha(history: HistoryEntry[]): Map<string, { at: string; position: number }> {
  const lastSwitch = new Map<string, { at: string; position: number }>();
  history.forEach((entry, position) => lastSwitch.set(entry.sha, { at: entry.at, position }));
  return lastSwitch;
}
