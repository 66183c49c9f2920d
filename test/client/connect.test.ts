import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connectClient, temporalSettings } from '../../client/connect';

let dir: string;
beforeEach(() => void (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tfa-envconfig-'))));
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** No config file unless a test writes one: the machine's own ~/.config/temporalio stays out of it. */
const NO_FILE = () => ({ TEMPORAL_CONFIG_FILE: path.join(dir, 'absent.toml') });

/** envconfig hands certificates over as bytes. */
const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');

function writeConfigFile(toml: string): string {
  const file = path.join(dir, 'temporal.toml');
  fs.writeFileSync(file, toml);
  return file;
}

describe('temporalSettings', () => {
  test('defaults to the dev server in the default namespace, in plain text', () => {
    expect(temporalSettings(NO_FILE())).toEqual({
      address: 'localhost:7233',
      namespace: 'default',
      connection: { address: 'localhost:7233', tls: undefined, apiKey: undefined, metadata: undefined },
    });
  });

  test('reads TEMPORAL_ADDRESS and TEMPORAL_NAMESPACE', () => {
    const settings = temporalSettings({
      ...NO_FILE(),
      TEMPORAL_ADDRESS: 'temporal:7233',
      TEMPORAL_NAMESPACE: 'agents',
    });
    expect(settings).toMatchObject({
      address: 'temporal:7233',
      namespace: 'agents',
      connection: { address: 'temporal:7233' },
    });
  });

  test('an API key turns TLS on with the system roots, as Temporal Cloud needs', () => {
    const settings = temporalSettings({
      ...NO_FILE(),
      TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233',
      TEMPORAL_API_KEY: 'key-1',
    });
    expect(settings.connection).toMatchObject({ apiKey: 'key-1', tls: true });
  });

  test('TEMPORAL_TLS_* names the CA to trust and the server name to check', () => {
    const ca = path.join(dir, 'ca.pem');
    fs.writeFileSync(ca, 'CA PEM');
    const settings = temporalSettings({
      ...NO_FILE(),
      TEMPORAL_TLS: 'true',
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: ca,
      TEMPORAL_TLS_SERVER_NAME: 'temporal.internal',
    });
    expect(settings.connection.tls).toMatchObject({ serverNameOverride: 'temporal.internal' });
    expect(text((settings.connection.tls as { serverRootCACertificate: Uint8Array }).serverRootCACertificate)).toBe(
      'CA PEM',
    );
  });

  test('a client certificate and key make mutual TLS', () => {
    const settings = temporalSettings({
      ...NO_FILE(),
      TEMPORAL_TLS_CLIENT_CERT_DATA: 'CERT',
      TEMPORAL_TLS_CLIENT_KEY_DATA: 'KEY',
    });
    const tls = settings.connection.tls as { clientCertPair: { crt: Uint8Array; key: Uint8Array } };
    expect([text(tls.clientCertPair.crt), text(tls.clientCertPair.key)]).toEqual(['CERT', 'KEY']);
  });

  test('TEMPORAL_TLS=false keeps an API key on a plain connection (a local proxy)', () => {
    expect(temporalSettings({ ...NO_FILE(), TEMPORAL_API_KEY: 'key-1', TEMPORAL_TLS: 'false' }).connection.tls).toBe(
      false,
    );
  });

  test('reads the default profile of the config file TEMPORAL_CONFIG_FILE names', () => {
    const file = writeConfigFile(
      ['[profile.default]', 'address = "prod.example:7233"', 'namespace = "agents"', 'api_key = "key-from-file"'].join(
        '\n',
      ),
    );
    expect(temporalSettings({ TEMPORAL_CONFIG_FILE: file })).toMatchObject({
      address: 'prod.example:7233',
      namespace: 'agents',
      connection: { apiKey: 'key-from-file', tls: true },
    });
  });

  test('TEMPORAL_PROFILE picks another profile', () => {
    const file = writeConfigFile(
      [
        '[profile.default]',
        'address = "localhost:7233"',
        '',
        '[profile.cloud]',
        'address = "ns.acct.tmprl.cloud:7233"',
        'namespace = "ns.acct"',
      ].join('\n'),
    );
    expect(temporalSettings({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'cloud' })).toMatchObject({
      address: 'ns.acct.tmprl.cloud:7233',
      namespace: 'ns.acct',
    });
  });

  test('finds the file where `temporal config set` writes it, under the user config directory', () => {
    fs.mkdirSync(path.join(dir, 'temporalio'));
    fs.writeFileSync(path.join(dir, 'temporalio', 'temporal.toml'), '[profile.default]\nnamespace = "from-home"\n');
    expect(temporalSettings({ XDG_CONFIG_HOME: dir }).namespace).toBe('from-home');
  });

  test('variables override the profile', () => {
    const file = writeConfigFile(
      ['[profile.default]', 'address = "prod.example:7233"', 'namespace = "agents"'].join('\n'),
    );
    expect(temporalSettings({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_NAMESPACE: 'staging' })).toMatchObject({
      address: 'prod.example:7233',
      namespace: 'staging',
    });
  });

  test('a profile that is not in the file is an error naming the settings to check', () => {
    const file = writeConfigFile('[profile.default]\naddress = "localhost:7233"\n');
    expect(() => temporalSettings({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'cloud' })).toThrow(
      "Invalid Temporal client configuration (TEMPORAL_PROFILE, TEMPORAL_CONFIG_FILE, TEMPORAL_TLS_*): Profile 'cloud' not found in config data",
    );
  });

  test('blank variables mean unset, as for every other setting', () => {
    expect(temporalSettings({ ...NO_FILE(), TEMPORAL_ADDRESS: ' ', TEMPORAL_API_KEY: '' })).toMatchObject({
      address: 'localhost:7233',
      connection: { apiKey: undefined, tls: undefined },
    });
  });
});

test('with no server at the address, connectClient says where it looked and what to do', async () => {
  const error = await connectClient(temporalSettings({ ...NO_FILE(), TEMPORAL_ADDRESS: '127.0.0.1:1' })).catch(
    (caught: Error) => caught,
  );
  expect((error as Error).message).toMatch(
    /^cannot reach Temporal at 127\.0\.0\.1:1 \(TEMPORAL_ADDRESS\): .*npm start/,
  );
});
