import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ThreadEvent } from '../core/thread';

/** A thread fixture: its events, and the facts the agent's next decision needs, as substrings of the context. */
export const RecordedThread = z.object({
  description: z.string(),
  requiredFacts: z.array(z.object({ fact: z.string(), text: z.string() })),
  events: z.array(ThreadEvent),
});
export type RecordedThread = z.infer<typeof RecordedThread> & { name: string };

export const THREAD_NAMES = ['short', 'medium', 'long'] as const;
export type ThreadName = (typeof THREAD_NAMES)[number];

const THREADS_DIR = path.join(__dirname, 'threads');

/** Reads and validates bench/threads/<name>.json, so a fixture that drifts from the event schema fails loudly. */
export function loadThread(name: ThreadName): RecordedThread {
  const raw: unknown = JSON.parse(fs.readFileSync(path.join(THREADS_DIR, `${name}.json`), 'utf8'));
  return { name, ...RecordedThread.parse(raw) };
}
