import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { DEFAULT_NAMESPACE, SEARCH_ATTRIBUTE_NAMES } from '../core/constants';
import { devServerTuningArgs } from './dev-server-tuning';

export interface DevServer {
  /** null when a server was already listening and we reuse it. */
  process: ChildProcess | null;
  stop(): Promise<void>;
}

/** Whether a dev server answers here: local and plain text by nature, so the address alone (no TLS, no key from client/connect.ts). */
async function reachable(address: string): Promise<boolean> {
  try {
    const connection = await Connection.connect({ address, connectTimeout: '1 second' });
    await connection.close();
    return true;
  } catch {
    return false;
  }
}

async function waitUntilReachable(address: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await reachable(address))) {
    if (child.exitCode !== null)
      throw new Error(`temporal server start-dev exited with code ${child.exitCode}; see its log.`);
    if (Date.now() > deadline)
      throw new Error(`the Temporal dev server did not answer on ${address} within ${timeoutMs / 1000} s.`);
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

/**
 * `temporal server start-dev` persisting to <dataDir>/temporal.db, with the Web UI and the tuning of dev-server-tuning.ts,
 * and `namespace` beside `default` when another is configured; reuses a running server.
 */
export async function startDevServer(options: {
  cli: string;
  address: string;
  namespace?: string;
  dataDir: string;
  uiPort: number;
  /** The codec server the Web UI decodes payloads with (the gateway's /codec when payloads are encrypted). */
  uiCodecEndpoint?: string;
}): Promise<DevServer> {
  if (await reachable(options.address)) return { process: null, stop: async () => {} };
  const [host, port] = options.address.split(':');
  fs.mkdirSync(options.dataDir, { recursive: true });
  const log = fs.openSync(path.join(options.dataDir, 'temporal.log'), 'a');
  const child = spawn(
    options.cli,
    [
      'server',
      'start-dev',
      '--db-filename',
      path.join(options.dataDir, 'temporal.db'),
      '--ip',
      host === 'localhost' ? '127.0.0.1' : host!,
      '--port',
      port ?? '7233',
      '--ui-port',
      String(options.uiPort),
      '--log-level',
      'warn',
      ...(options.uiCodecEndpoint ? ['--ui-codec-endpoint', options.uiCodecEndpoint] : []),
      ...(options.namespace && options.namespace !== DEFAULT_NAMESPACE ? ['--namespace', options.namespace] : []),
      ...Object.values(SEARCH_ATTRIBUTE_NAMES).flatMap((name) => ['--search-attribute', `${name}=Keyword`]),
      ...devServerTuningArgs(),
    ],
    { stdio: ['ignore', log, log] },
  );
  await waitUntilReachable(options.address, child, 60_000);
  return {
    process: child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGINT'); // the dev server flushes SQLite on SIGINT
      }),
  };
}
