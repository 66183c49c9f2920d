// A Cloud-style connection (API key over TLS with a private CA) for the CLI and a worker, through a
// local TLS endpoint in front of the dev server that refuses any call without the key.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { startScriptedModelServer, type ScriptedModelServer } from '../../scripts/scripted-model/server';
import { startupRefusal, startWorkerProcess, type WorkerProcess } from '../faults/worker-process';
import { runTfa } from '../support/tfa-command';
import { testServerAddress } from '../support/test-server';
import { createTestCertificates, startTlsTemporalProxy, type TlsTemporalProxy } from '../support/tls-temporal-proxy';

const API_KEY = 'tfa-test-api-key';

let dir: string;
let proxy: TlsTemporalProxy;
let model: ScriptedModelServer;
let worker: WorkerProcess | undefined;
let direct: Connection;
let cloudEnv: Record<string, string>;
const taskQueue = `cloud-${process.pid}-${Date.now()}`;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tfa-cloud-'));
  const certificates = await createTestCertificates();
  fs.writeFileSync(path.join(dir, 'ca.pem'), certificates.caCert);
  proxy = await startTlsTemporalProxy({ upstream: testServerAddress(), apiKey: API_KEY, certificates });
  model = await startScriptedModelServer({ script: [] });
  direct = await Connection.connect({ address: testServerAddress() });
  cloudEnv = {
    TEMPORAL_CONFIG_FILE: path.join(dir, 'no-config.toml'), // this machine's own profile stays out of it
    TEMPORAL_ADDRESS: proxy.address,
    TEMPORAL_API_KEY: API_KEY,
    TEMPORAL_TLS_SERVER_CA_CERT_PATH: path.join(dir, 'ca.pem'),
    TFA_TASK_QUEUE: taskQueue,
  };
});

afterAll(async () => {
  await worker?.kill();
  await Promise.all([proxy?.close(), model?.close(), direct?.close()]);
  fs.rmSync(dir, { recursive: true, force: true });
});

/** `tfa` in its own process with these Temporal settings (this process's TEMPORAL_ADDRESS left out). */
const tfa = (env: Record<string, string>, ...args: string[]) => runTfa(args, { TEMPORAL_ADDRESS: undefined, ...env });

test('the CLI and a worker reach Temporal with an API key over TLS, and every call they make carries the key', async () => {
  model.enqueue({ toolCall: { name: 'done_for_now', arguments: { message: 'done behind TLS' } } });
  worker = await startWorkerProcess({
    ...cloudEnv,
    OPENAI_BASE_URL: model.baseURL,
    OPENAI_API_KEY: 'scripted',
    TFA_DATA_DIR: dir,
    TFA_LOG_LEVEL: 'ERROR',
  });
  const workflowId = `cloud-run-${Date.now()}`;
  const launched = await tfa(cloudEnv, 'launch', 'deploybot', 'say', 'hello', '--workflow-id', workflowId);
  expect(launched).toMatchObject({ code: 0, stdout: `${workflowId}\n` });

  // The run finished on the worker behind the proxy; wait for it on the dev server itself.
  await new Client({ connection: direct }).workflow.getHandle(workflowId).result();
  const status = await tfa(cloudEnv, 'status', workflowId);
  expect(status.code).toBe(0);
  expect(status.stdout).toContain(`${workflowId}  agent=deploybot  status=completed`);

  const methods = new Set(proxy.calls.map((call) => call.method.split('/').pop()));
  for (const method of ['PollWorkflowTaskQueue', 'StartWorkflowExecution', 'QueryWorkflow'])
    expect(methods).toContain(method);
  expect(proxy.calls.filter((call) => !call.authorized)).toEqual([]);
});

test('without the API key the endpoint refuses the CLI, and the error names the address and the refusal', async () => {
  const { TEMPORAL_API_KEY: _key, ...withoutKey } = cloudEnv;
  const refused = await tfa({ ...withoutKey, TEMPORAL_TLS: 'true' }, 'list');
  expect(refused.code).toBe(1);
  expect(refused.stderr).toContain(`Temporal at ${proxy.address} (TEMPORAL_ADDRESS) refused this client`);
  expect(refused.stderr).toContain('missing or wrong API key');
  expect(refused.stderr).toContain('TEMPORAL_API_KEY');
});

test('without the private CA the TLS handshake fails, and the error says where it tried', async () => {
  const { TEMPORAL_TLS_SERVER_CA_CERT_PATH: _ca, ...withoutCa } = cloudEnv;
  const untrusted = await tfa(withoutCa, 'list');
  expect(untrusted.code).toBe(1);
  expect(untrusted.stderr).toContain(`cannot reach Temporal at ${proxy.address} (TEMPORAL_ADDRESS)`);
});

test('a worker without the API key stops at start, saying the server refused it', async () => {
  const { TEMPORAL_API_KEY: _key, ...withoutKey } = cloudEnv;
  const exit = await startupRefusal({ ...withoutKey, TEMPORAL_TLS: 'true', TFA_DATA_DIR: dir, TFA_LOG_LEVEL: 'ERROR' });
  expect(exit).toContain('worker exited early with code 1');
  expect(exit).toContain(`Temporal at ${proxy.address} (TEMPORAL_ADDRESS) refused this client`);
  expect(exit).toContain('missing or wrong API key');
});
