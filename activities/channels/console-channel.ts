import type { NotificationChannel } from './channel';

/** The default channel: prints the notice (with the exact answer commands) to the worker's output. */
export function createConsoleChannel(write: (text: string) => void = console.log): NotificationChannel {
  return { name: 'console', send: async (notice) => write(notice.text) };
}
