// Every connection to Temporal (CLI, gateway, worker, npm start) is made here, from one source of
// settings: Temporal's own client configuration, the same the `temporal` CLI and every SDK read.
import { Client, Connection, type ClientInterceptors, type DataConverter } from '@temporalio/client';
import { loadClientConnectConfig, type ClientConnectConfig } from '@temporalio/envconfig';
import type { NativeConnection } from '@temporalio/worker';
import { DEFAULT_NAMESPACE } from '../core/constants';
import { describeError } from './describe-error';

/** How long a command waits for the Temporal server before saying it cannot reach it. */
const CONNECT_TIMEOUT = '3 seconds';

/** The dev server's frontend (`npm start`), used when no address is configured. */
export const DEFAULT_TEMPORAL_ADDRESS = 'localhost:7233';

/**
 * Where and how to reach Temporal. Read by `temporalSettings` from, last wins: the profile
 * `TEMPORAL_PROFILE` (default `default`) of the config file `TEMPORAL_CONFIG_FILE` (default
 * ~/.config/temporalio/temporal.toml, what `temporal config set` writes), then `TEMPORAL_ADDRESS`,
 * `TEMPORAL_NAMESPACE`, `TEMPORAL_API_KEY` (turns TLS on), `TEMPORAL_TLS` (true/false),
 * `TEMPORAL_TLS_SERVER_CA_CERT_PATH|_DATA`, `TEMPORAL_TLS_SERVER_NAME`,
 * `TEMPORAL_TLS_CLIENT_CERT_PATH|_DATA` and `TEMPORAL_TLS_CLIENT_KEY_PATH|_DATA` (mTLS),
 * `TEMPORAL_GRPC_META_<NAME>` (extra gRPC headers).
 */
export interface TemporalSettings {
  address: string;
  namespace: string;
  /** What Connection and NativeConnection take: address, TLS, API key, gRPC metadata. */
  connection: ClientConnectConfig['connectionOptions'] & { address: string };
}

/** Reads Temporal's client configuration; a missing profile or unreadable certificate is an error naming the setting. */
export function temporalSettings(env: Record<string, string | undefined>): TemporalSettings {
  // An empty variable (`TEMPORAL_API_KEY=`) means unset, as in core/config.ts.
  const setOnly = Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1].trim() !== ''),
  );
  let loaded: ReturnType<typeof loadClientConnectConfig>;
  try {
    loaded = loadClientConnectConfig({ overrideEnvVars: setOnly });
  } catch (error) {
    // First line only, and where: a TOML syntax error goes on to quote the file's lines, an api_key or a client key among them.
    const line = (error as { line?: unknown }).line;
    const where = typeof line === 'number' ? ` (line ${line})` : '';
    throw new Error(
      `Invalid Temporal client configuration (TEMPORAL_PROFILE, TEMPORAL_CONFIG_FILE, TEMPORAL_TLS_*): ${describeError(error).split('\n')[0]}${where}`,
    );
  }
  const { address = DEFAULT_TEMPORAL_ADDRESS, tls, apiKey, metadata } = loaded.connectionOptions;
  return {
    address,
    namespace: loaded.namespace ?? DEFAULT_NAMESPACE,
    connection: { address, tls, apiKey, metadata },
  };
}

/**
 * gRPC's UNAUTHENTICATED and PERMISSION_DENIED, as grpc-js names them and as the worker's native
 * client describes them: a server answered and refused who we are.
 */
const REFUSED_CREDENTIALS =
  /\b(UNAUTHENTICATED|PERMISSION_DENIED)\b|does not have valid authentication credentials|does not have permission to execute/;

/** The error a person sees when no server answers, or one refuses the credentials: where we looked and what to do. */
export function unreachable(address: string, error: unknown, reason = describeError(error)): Error {
  if (
    REFUSED_CREDENTIALS.test(describeError(error)) ||
    [7, 16].includes((error as { code?: unknown })?.code as number)
  ) {
    return new Error(
      `Temporal at ${address} (TEMPORAL_ADDRESS) refused this client: ${reason}. ` +
        'Check TEMPORAL_API_KEY, or the client certificate (TEMPORAL_TLS_CLIENT_CERT_PATH/_KEY_PATH), or the profile (TEMPORAL_PROFILE).',
    );
  }
  return new Error(
    `cannot reach Temporal at ${address} (TEMPORAL_ADDRESS): ${reason}. ` +
      'Start the dev server with `npm start`, or point TEMPORAL_ADDRESS at your server.',
  );
}

/** The settings' secrets (API key, gRPC header values, client key), which an error may quote (grpc-js: `Metadata string value "..." contains illegal characters`). */
function secretsOf(settings: TemporalSettings): string[] {
  const { apiKey, metadata, tls } = settings.connection;
  const clientKey = typeof tls === 'object' && tls !== null ? tls.clientCertPair?.key : undefined;
  return [typeof apiKey === 'string' ? apiKey : undefined, ...Object.values(metadata ?? {}), clientKey]
    .flatMap((secret) => (secret ? [secret.toString(), secret.toString().trim()] : []))
    .filter((secret) => secret.length >= 4);
}

/** An error to print, with every secret of the settings replaced by `[redacted]`. */
function redacted(error: Error, settings: TemporalSettings): Error {
  const message = secretsOf(settings).reduce((text, secret) => text.replaceAll(secret, '[redacted]'), error.message);
  return new Error(message);
}

/** What a client may add to its connection: the encryption codec's `dataConverter` goes here. */
export interface ClientExtras {
  dataConverter?: DataConverter;
  /** Tracing's client interceptors (activities/telemetry/tracing.ts); none: tracing is off. */
  interceptors?: ClientInterceptors;
}

/** A Temporal client for the configured server; close its connection when done. */
export async function connectClient(
  settings: TemporalSettings,
  extras: ClientExtras = {},
): Promise<{ client: Client; close: () => Promise<void> }> {
  const connection = await Connection.connect({ ...settings.connection, connectTimeout: CONNECT_TIMEOUT }).catch(
    (error: unknown) => {
      throw redacted(unreachable(settings.address, error), settings);
    },
  );
  const client = new Client({
    connection,
    namespace: settings.namespace,
    dataConverter: extras.dataConverter,
    interceptors: extras.interceptors,
  });
  return { client, close: () => connection.close() };
}

/** A client that connects on first use, for code that must be built synchronously (the worker's activities). */
export function lazyClient(settings: TemporalSettings, extras: ClientExtras = {}): Client {
  const connection = Connection.lazy({ ...settings.connection, connectTimeout: CONNECT_TIMEOUT });
  return new Client({ connection, namespace: settings.namespace, dataConverter: extras.dataConverter });
}

/** The worker's native connection (its dataConverter goes to Worker.create, not here). */
export async function connectWorker(settings: TemporalSettings): Promise<NativeConnection> {
  // Loaded here, not at the top: the CLI never needs the worker's native module.
  const { NativeConnection } = await import('@temporalio/worker');
  return NativeConnection.connect(settings.connection).catch((error: unknown) => {
    throw redacted(unreachable(settings.address, error, nativeReason(error)), settings);
  });
}

/** The native client's transport errors end in the OS's words, e.g. `message: "Connection refused"`. */
function nativeReason(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return /message: "([^"]+)"/.exec(text)?.[1] ?? text.split('\n')[0] ?? text;
}
