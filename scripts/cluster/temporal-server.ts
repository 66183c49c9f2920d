import fs from 'node:fs';
import path from 'node:path';
import { POSTGRES_USER } from './postgres';
import { run, startLongRunning, waitFor } from './processes';
import type { TemporalServerBuild } from './temporal-server-build';

const deployDir = path.resolve(__dirname, '../../deploy/temporal');

/**
 * Creates both databases and brings their schemas to the newest version: docker-compose.yml's
 * schema job (deploy/temporal/setup-schema.sh), run with the tool built from the same module.
 */
export async function setupSchemas(build: TemporalServerBuild, postgresPort: number): Promise<void> {
  await run('sh', [path.join(deployDir, 'setup-schema.sh')], {
    env: {
      ...process.env,
      TEMPORAL_SQL_TOOL: build.sqlTool,
      TEMPORAL_SCHEMA_DIR: build.postgresSchemaDir,
      SQL_HOST: '127.0.0.1',
      SQL_PORT: String(postgresPort),
      SQL_USER: POSTGRES_USER,
    },
  });
}

/** docker-compose.yml's namespace job (deploy/temporal/create-namespace.sh): the namespace and tfa's search attributes. */
export async function createNamespace(options: {
  temporalCli: string;
  address: string;
  namespace: string;
}): Promise<void> {
  await run('sh', [path.join(deployDir, 'create-namespace.sh')], {
    env: {
      ...process.env,
      TEMPORAL_CLI: options.temporalCli,
      TEMPORAL_ADDRESS: options.address,
      TEMPORAL_NAMESPACE: options.namespace,
    },
  });
}

/** Every port the server listens on: a gRPC and a membership port per service, and the frontend's HTTP API. */
export const SERVER_PORT_NAMES = [
  'frontend',
  'frontendHttp',
  'frontendMembership',
  'history',
  'historyMembership',
  'matching',
  'matchingMembership',
  'worker',
  'workerMembership',
] as const;
export type ServerPorts = Record<(typeof SERVER_PORT_NAMES)[number], number>;

/** Names the ports, in SERVER_PORT_NAMES order. */
export function serverPorts(ports: readonly number[]): ServerPorts {
  if (ports.length < SERVER_PORT_NAMES.length)
    throw new Error(`the server needs ${SERVER_PORT_NAMES.length} ports, got ${ports.length}`);
  return Object.fromEntries(SERVER_PORT_NAMES.map((name, index) => [name, ports[index]])) as ServerPorts;
}

const service = (grpcPort: number, membershipPort: number, httpPort?: number) => ({
  rpc: { grpcPort, membershipPort, bindOnLocalHost: true, ...(httpPort ? { httpPort } : {}) },
});

const datastore = (databaseName: string, postgresPort: number, maxConns: number) => ({
  sql: {
    pluginName: 'postgres12',
    databaseName,
    connectAddr: `127.0.0.1:${postgresPort}`,
    connectProtocol: 'tcp',
    user: POSTGRES_USER,
    password: '',
    maxConns,
    maxIdleConns: maxConns,
    maxConnLifetime: '1h',
  },
});

/**
 * The server's static config: one cluster, all four services in one process on loopback,
 * PostgreSQL for persistence and for (SQL) visibility, 4 history shards (enough for one machine;
 * fixed for the life of a cluster). JSON is YAML, so no YAML writer is needed.
 */
export function serverConfig(options: {
  ports: ServerPorts;
  postgresPort: number;
  dynamicConfigFile: string;
  numHistoryShards: number;
}) {
  const { ports, postgresPort } = options;
  return {
    log: { stdout: true, level: 'warn' },
    persistence: {
      defaultStore: 'default',
      visibilityStore: 'visibility',
      numHistoryShards: options.numHistoryShards,
      datastores: {
        default: datastore('temporal', postgresPort, 20),
        visibility: datastore('temporal_visibility', postgresPort, 10),
      },
    },
    global: { membership: { maxJoinDuration: '30s', broadcastAddress: '127.0.0.1' } },
    services: {
      frontend: service(ports.frontend, ports.frontendMembership, ports.frontendHttp),
      history: service(ports.history, ports.historyMembership),
      matching: service(ports.matching, ports.matchingMembership),
      worker: service(ports.worker, ports.workerMembership),
    },
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: {
        active: {
          enabled: true,
          initialFailoverVersion: 1,
          rpcName: 'frontend',
          rpcAddress: `127.0.0.1:${ports.frontend}`,
        },
      },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    dynamicConfigClient: { filepath: options.dynamicConfigFile, pollInterval: '10s' },
  };
}

/** As Temporal's development-sql.yaml: long ids, and search attributes usable as soon as they are created. */
const DYNAMIC_CONFIG = `limit.maxIDLength:
  - value: 255
system.forceSearchAttributesCacheRefreshOnRead:
  - value: true
`;

export interface RunningTemporalServer {
  address: string;
  /** SIGTERM, then the server drains and exits. */
  stop(): Promise<void>;
}

/** Writes the config into `dir` and runs `server start` until its frontend reports SERVING. */
export async function startTemporalServer(options: {
  build: TemporalServerBuild;
  temporalCli: string;
  dir: string;
  ports: ServerPorts;
  postgresPort: number;
  numHistoryShards: number;
}): Promise<RunningTemporalServer> {
  const { dir, ports } = options;
  const dynamicConfigFile = path.join(dir, 'dynamicconfig.yaml');
  fs.writeFileSync(dynamicConfigFile, DYNAMIC_CONFIG);
  const configFile = path.join(dir, 'temporal-server.yaml');
  const config = serverConfig({
    ports,
    postgresPort: options.postgresPort,
    dynamicConfigFile,
    numHistoryShards: options.numHistoryShards,
  });
  fs.writeFileSync(configFile, JSON.stringify(config, null, 2));
  const log = fs.openSync(path.join(dir, 'temporal-server.log'), 'a');
  const server = startLongRunning(options.build.server, ['--config-file', configFile, '--allow-no-auth', 'start'], {
    cwd: dir,
    stdio: ['ignore', log, log],
  });
  fs.closeSync(log);
  const address = `127.0.0.1:${ports.frontend}`;
  const gone = server.exited.then((code) => {
    throw new Error(`Temporal's server exited (${code}) while starting: see ${path.join(dir, 'temporal-server.log')}`);
  });
  const serving = () =>
    run(options.temporalCli, ['operator', 'cluster', 'health', '--address', address]).then((out) =>
      out.includes('SERVING'),
    );
  await Promise.race([waitFor(`Temporal's frontend SERVING on ${address}`, serving, 90_000, 500), gone]);
  gone.catch(() => undefined);
  return { address, stop: () => server.stop('SIGTERM') };
}
