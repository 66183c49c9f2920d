import fs from 'node:fs';
import path from 'node:path';
import { run, startLongRunning, waitFor, type LongRunning } from './processes';

/** The database superuser the cluster creates; Temporal connects as it (trust auth on loopback only). */
export const POSTGRES_USER = 'temporal';
/** PostgreSQL refuses to run as root; as root, initdb and postgres run as this account (Debian's package creates it). */
const POSTGRES_ACCOUNT = 'postgres';

const isRoot = () => process.getuid?.() === 0;

/** The newest PostgreSQL of Debian's layout (/usr/lib/postgresql/<major>/bin), or TFA_POSTGRES_BIN. */
export function locatePostgres(): string | null {
  if (process.env.TFA_POSTGRES_BIN) return process.env.TFA_POSTGRES_BIN;
  const root = '/usr/lib/postgresql';
  const majors = fs.existsSync(root) ? fs.readdirSync(root).filter((name) => /^\d+$/.test(name)) : [];
  const found = majors
    .sort((a, b) => Number(b) - Number(a))
    .map((major) => path.join(root, major, 'bin'))
    .find((bin) => fs.existsSync(path.join(bin, 'initdb')));
  return found ?? null;
}

/** Finds PostgreSQL's binaries, installing Debian's `postgresql` package when missing and running as root. */
export async function ensurePostgres(log: (line: string) => void = console.error): Promise<string> {
  const found = locatePostgres();
  if (found) return found;
  if (!isRoot() || !fs.existsSync('/usr/bin/apt-get')) {
    throw new Error(
      'PostgreSQL is not installed: `sudo apt-get install -y postgresql` (or set TFA_POSTGRES_BIN to the directory holding initdb and postgres).',
    );
  }
  log('[tfa] installing PostgreSQL from Debian (apt-get install -y postgresql)...');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  await run('apt-get', ['update', '-q'], { env });
  await run('apt-get', ['install', '-y', '-q', '--no-install-recommends', 'postgresql'], { env });
  const installed = locatePostgres();
  if (!installed)
    throw new Error('apt-get installed postgresql, but no /usr/lib/postgresql/<major>/bin/initdb was found');
  return installed;
}

/** The command line that runs `binary` as the PostgreSQL account when we are root (setpriv execs, so the pid is the server's). */
function asPostgresAccount(binary: string, args: string[]): [string, string[]] {
  if (!isRoot()) return [binary, args];
  return [
    'setpriv',
    ['--reuid', POSTGRES_ACCOUNT, '--regid', POSTGRES_ACCOUNT, '--init-groups', '--', binary, ...args],
  ];
}

export interface RunningPostgres {
  port: number;
  dataDir: string;
  /** Fast shutdown: open connections are closed, nothing is lost. */
  stop(): Promise<void>;
}

/**
 * initdb's a fresh cluster in `dir` (trust auth, listening on 127.0.0.1:`port` only, no fsync:
 * a throwaway test database) and starts it in the foreground as a child process.
 */
export async function startPostgres(options: { bin: string; dir: string; port: number }): Promise<RunningPostgres> {
  const { bin, dir, port } = options;
  const dataDir = path.join(dir, 'data');
  if (isRoot()) await run('chown', [POSTGRES_ACCOUNT, dir]);
  const [initdb, initdbArgs] = asPostgresAccount(path.join(bin, 'initdb'), [
    '-D',
    dataDir,
    '-U',
    POSTGRES_USER,
    '--auth=trust',
    '-E',
    'UTF8',
    '--no-sync',
  ]);
  await run(initdb, initdbArgs, { cwd: dir });
  const settings = [
    '-p',
    String(port),
    '-k',
    dir,
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'fsync=off',
    '-c',
    'max_connections=200',
  ];
  const [postgres, args] = asPostgresAccount(path.join(bin, 'postgres'), ['-D', dataDir, ...settings]);
  const log = fs.openSync(path.join(dir, 'postgres.log'), 'a');
  const server: LongRunning = startLongRunning(postgres, args, { cwd: dir, stdio: ['ignore', log, log] });
  fs.closeSync(log);
  const gone = server.exited.then((code) => {
    throw new Error(`postgres exited (${code}) while starting: see ${path.join(dir, 'postgres.log')}`);
  });
  const ready = () => run(path.join(bin, 'pg_isready'), ['-q', '-h', '127.0.0.1', '-p', String(port)]).then(() => true);
  await Promise.race([waitFor(`PostgreSQL accepting connections on 127.0.0.1:${port}`, ready, 30_000), gone]);
  gone.catch(() => undefined);
  return { port, dataDir, stop: () => server.stop('SIGINT') }; // SIGINT: PostgreSQL's fast shutdown
}
