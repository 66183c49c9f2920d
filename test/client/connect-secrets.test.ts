// Secrets stay out of what is printed: the API key, gRPC header values and a TLS client key must never
// appear in an error a CLI, the gateway or the worker prints when the connection settings are wrong.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connectClient, connectWorker, temporalSettings } from '../../client/connect';
import { testServerAddress } from '../support/test-server';
import { createTestCertificates, startTlsTemporalProxy, type TlsTemporalProxy } from '../support/tls-temporal-proxy';

const SECRET = 'sk-live-0123456789abcdef';
let dir: string;
let proxy: TlsTemporalProxy | undefined;
beforeEach(() => void (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tfa-secrets-'))));
afterEach(async () => {
  await proxy?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function connectError(connect: () => Promise<unknown>): Promise<string> {
  try {
    await connect();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the connection to fail');
}

test('a TOML syntax error in the config file names its line without quoting it: the api_key stays out', () => {
  const file = path.join(dir, 'temporal.toml');
  fs.writeFileSync(file, `[profile.default]\naddress = "${testServerAddress()}"\napi_key = ${SECRET}\n`);
  expect(() => temporalSettings({ TEMPORAL_CONFIG_FILE: file })).toThrow(/Invalid TOML document.*\(line 3\)/);
  expect(() => temporalSettings({ TEMPORAL_CONFIG_FILE: file })).not.toThrow(new RegExp(SECRET));
});

test('a gRPC header value with an illegal character (TEMPORAL_GRPC_META_*) is refused without printing the value', async () => {
  const settings = temporalSettings({
    TEMPORAL_CONFIG_FILE: path.join(dir, 'none.toml'),
    TEMPORAL_ADDRESS: testServerAddress(),
    TEMPORAL_GRPC_META_AUTHORIZATION: `Bearer ${SECRET}\n`,
  });
  const message = await connectError(async () => (await connectClient(settings)).close());
  expect(message).toContain('[redacted]');
  expect(message).not.toContain(SECRET);
});

test('an API key with a stray carriage return, sent over TLS, is refused without printing the key (client and worker)', async () => {
  const certificates = await createTestCertificates();
  fs.writeFileSync(path.join(dir, 'ca.pem'), certificates.caCert);
  proxy = await startTlsTemporalProxy({ upstream: testServerAddress(), apiKey: SECRET, certificates });
  const settings = temporalSettings({
    TEMPORAL_CONFIG_FILE: path.join(dir, 'none.toml'),
    TEMPORAL_ADDRESS: proxy.address,
    TEMPORAL_API_KEY: `${SECRET}\r`,
    TEMPORAL_TLS_SERVER_CA_CERT_PATH: path.join(dir, 'ca.pem'),
  });
  const clientMessage = await connectError(async () => (await connectClient(settings)).close());
  expect(clientMessage).not.toContain(SECRET);
  const workerMessage = await connectError(async () => (await connectWorker(settings)).close());
  expect(workerMessage).not.toContain(SECRET);
});
