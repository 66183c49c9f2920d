// On a server where the worker may not register search attributes (Temporal Cloud, a restricted
// account), it stops with one message naming the exact commands, not a raw gRPC error.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';
import { connectWorker, temporalSettings } from '../../client/connect';
import { ConfigurationError } from '../../core/errors';
import { ensureSearchAttributes, searchAttributeCommands } from '../../worker/ensure-search-attributes';
import { startupRefusal } from '../faults/worker-process';
import { registerNamespace } from '../support/namespaces';
import { temporal } from '../support/temporal-command';
import { testServerAddress } from '../support/test-server';
import { createTestCertificates, startTlsTemporalProxy, type TlsTemporalProxy } from '../support/tls-temporal-proxy';

const API_KEY = 'tfa-test-api-key';
const namespace = `tfa-sa-${process.pid}-${Date.now()}`;

let dir: string;
let noOperator: TlsTemporalProxy;
let noListing: TlsTemporalProxy;
let direct: Connection;
const open: NativeConnection[] = [];

/** The settings of a Cloud-style client of this proxy. */
function envFor(proxy: TlsTemporalProxy): Record<string, string> {
  return {
    TEMPORAL_CONFIG_FILE: path.join(dir, 'no-config.toml'),
    TEMPORAL_ADDRESS: proxy.address,
    TEMPORAL_API_KEY: API_KEY,
    TEMPORAL_TLS_SERVER_CA_CERT_PATH: path.join(dir, 'ca.pem'),
    TEMPORAL_NAMESPACE: namespace,
  };
}

async function workerConnection(proxy: TlsTemporalProxy): Promise<NativeConnection> {
  const connection = await connectWorker(temporalSettings(envFor(proxy)));
  open.push(connection);
  return connection;
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tfa-search-attributes-'));
  const certificates = await createTestCertificates();
  fs.writeFileSync(path.join(dir, 'ca.pem'), certificates.caCert);
  const upstream = testServerAddress();
  noOperator = await startTlsTemporalProxy({
    upstream,
    apiKey: API_KEY,
    certificates,
    refuseMethods: ['AddSearchAttributes'],
  });
  noListing = await startTlsTemporalProxy({
    upstream,
    apiKey: API_KEY,
    certificates,
    refuseMethods: ['ListSearchAttributes', 'AddSearchAttributes'],
  });
  direct = await Connection.connect({ address: upstream });
  await registerNamespace(direct, namespace); // a fresh namespace has none of tfa's search attributes
});

afterAll(async () => {
  await Promise.all(open.map((connection) => connection.close()));
  await Promise.all([noOperator?.close(), noListing?.close(), direct?.close()]);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('where the worker may not create missing search attributes, it stops with the exact temporal and tcld commands', async () => {
  const error = await ensureSearchAttributes(await workerConnection(noOperator), namespace).catch(
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ConfigurationError);
  const message = (error as Error).message;
  expect(message).toContain(
    `namespace "${namespace}" lacks the search attributes TfaAgent, TfaStatus, TfaPendingRequest (Keyword)`,
  );
  expect(message).toContain('not allowed for this API key');
  expect(message).toContain(
    `temporal operator search-attribute create --namespace ${namespace} --name TfaAgent --type Keyword --name TfaStatus --type Keyword --name TfaPendingRequest --type Keyword`,
  );
  expect(message).toContain(
    `tcld namespace search-attributes add --namespace ${namespace} --search-attribute TfaAgent=Keyword --search-attribute TfaStatus=Keyword --search-attribute TfaPendingRequest=Keyword`,
  );
});

test('the worker process exits with that message alone, no stack trace', async () => {
  const exit = await startupRefusal({
    ...envFor(noOperator),
    TFA_TASK_QUEUE: `sa-${Date.now()}`,
    TFA_LOG_LEVEL: 'ERROR',
  });
  expect(exit).toContain('worker exited early with code 1');
  expect(exit).toContain(searchAttributeCommands(namespace)[0]);
  expect(exit).not.toMatch(/^\s+at /m);
});

test('where it may not even list them, it warns with the commands and goes on', async () => {
  const warnings: string[] = [];
  await expect(
    ensureSearchAttributes(await workerConnection(noListing), namespace, (text) => warnings.push(text)),
  ).resolves.toEqual([]);
  expect(warnings).toHaveLength(1);
  expect(warnings[0]).toContain(`could not check the search attributes of namespace "${namespace}"`);
  expect(warnings[0]).toContain(searchAttributeCommands(namespace)[0]);
});

test('the printed temporal command creates them, and then the worker has nothing left to do', async () => {
  const [command] = searchAttributeCommands(namespace);
  const [, ...args] = command!.split(' '); // the namespace needs no quoting
  await temporal(...args);
  await expect(ensureSearchAttributes(await workerConnection(noOperator), namespace)).resolves.toEqual([]);
});
