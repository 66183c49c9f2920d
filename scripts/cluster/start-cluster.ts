import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SEARCH_ATTRIBUTE_NAMES } from '../../core/constants';
import { ensureTemporalCli } from '../temporal-cli.cjs';
import { freePortsBelowEphemeral } from './ports';
import { ensurePostgres, startPostgres } from './postgres';
import { run, waitFor } from './processes';
import { ensureTemporalServer } from './temporal-server-build';
import { createNamespace, SERVER_PORT_NAMES, serverPorts, setupSchemas, startTemporalServer } from './temporal-server';

export interface ClusterOptions {
  namespace?: string;
  /** Fixed for the life of the cluster. Default 4. */
  numHistoryShards?: number;
  /** Keep the database and logs after stop (default: removed). */
  keep?: boolean;
  log?: (line: string) => void;
}

export interface RunningCluster {
  /** The frontend, host:port: TEMPORAL_ADDRESS for workers and clients. */
  address: string;
  namespace: string;
  /** PostgreSQL's data, the server's config and both logs. */
  dir: string;
  temporalCli: string;
  /** What start-up took, in milliseconds, by phase. */
  timings: Record<string, number>;
  stop(): Promise<void>;
}

/** The namespace job, then a check that every search attribute tfa's workflows set exists and the frontend knows the namespace. */
async function prepareNamespace(cli: string, address: string, namespace: string): Promise<void> {
  await createNamespace({ temporalCli: cli, address, namespace });
  const target = ['--address', address, '--namespace', namespace];
  const listed = await run(cli, ['operator', 'search-attribute', 'list', ...target]);
  const missing = Object.values(SEARCH_ATTRIBUTE_NAMES).filter((name) => !new RegExp(`\\b${name}\\b`).test(listed));
  if (missing.length > 0) throw new Error(`deploy/temporal/create-namespace.sh did not register ${missing.join(', ')}`);
  // The frontend's namespace cache refreshes every few seconds: wait until a call in the namespace works.
  await waitFor(
    `namespace ${namespace} usable`,
    () => run(cli, ['workflow', 'count', ...target]).then(() => true),
    60_000,
    500,
  );
}

/**
 * A real Temporal cluster without Docker: Temporal's own server (built from its Go module) on a
 * fresh PostgreSQL (Debian's), with SQL visibility, one namespace and tfa's search attributes.
 */
export async function startCluster(options: ClusterOptions = {}): Promise<RunningCluster> {
  const log = options.log ?? console.error;
  const namespace = options.namespace ?? 'default';
  const timings: Record<string, number> = {};
  const timed = async <T>(phase: string, task: () => Promise<T>): Promise<T> => {
    const started = Date.now();
    const result = await task();
    timings[phase] = Date.now() - started;
    return result;
  };
  const [build, postgresBin] = await timed('provision', () =>
    Promise.all([ensureTemporalServer(log), ensurePostgres(log)]),
  );
  const temporalCli = ensureTemporalCli(log);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tfa-cluster-'));
  const [postgresPort, ...portList] = await freePortsBelowEphemeral(1 + SERVER_PORT_NAMES.length);
  const ports = serverPorts(portList);
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async (keepDir: boolean) => {
    for (const stopOne of stops.reverse()) await stopOne();
    if (!keepDir) fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    const postgres = await timed('postgres', () => startPostgres({ bin: postgresBin, dir, port: postgresPort! }));
    stops.push(postgres.stop);
    await timed('schemas', () => setupSchemas(build, postgres.port));
    const numHistoryShards = options.numHistoryShards ?? 4;
    const server = await timed('server', () =>
      startTemporalServer({ build, temporalCli, dir, ports, postgresPort: postgres.port, numHistoryShards }),
    );
    stops.push(server.stop);
    await timed('namespace', () => prepareNamespace(temporalCli, server.address, namespace));
    return {
      address: server.address,
      namespace,
      dir,
      temporalCli,
      timings,
      stop: () => stopAll(options.keep ?? false),
    };
  } catch (error) {
    await stopAll(true); // the logs explain the failure
    throw new Error(`${error instanceof Error ? error.message : String(error)} (logs in ${dir})`);
  }
}
