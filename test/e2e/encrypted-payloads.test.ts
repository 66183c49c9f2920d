import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { Client } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import { EncryptionCodec, encryptionKeysFrom } from '../../codec/encryption-codec';
import { AGENT_WORKFLOW_TYPE } from '../../core/constants';
import { parseConfig } from '../../core/config';
import { approveSignal, threadQuery } from '../../workflows/messages';
import { call, startTestGateway, TEST_TOKEN, type TestGateway } from '../client/gateway-fixture';
import {
  applicationPayloads,
  encodingOf,
  historyBytes,
  payloadsIn,
  payloadsJson,
  rawHistory,
} from '../support/raw-history';
import { temporalCliPath, testServerAddress } from '../support/test-server';
import { startHarness, waitForState, type Harness } from '../support/workflow-harness';
import { callTool } from '../../scripts/scripted-model/server';

const execFileAsync = promisify(execFile);

const KEY_A = `a:${randomBytes(32).toString('base64')}`;
const KEY_B = `b:${randomBytes(32).toString('base64')}`;
const UI_ORIGIN = 'http://localhost:8233';
// Strings that must never reach the server in plaintext: the task (model input), the tool's ref, the approver's comment.
const BRANCH = 'release/kestrel-4096';
const TASK = 'please ship the quarterly amber-5521 build';
const COMMENT = 'approved after the heron-8812 review';
/** A ref that names no commit: its tool error (an activity failure) quotes it. */
const MISSING_REF = 'release/plover-2718';

const codecOf = (keys: string) =>
  new EncryptionCodec({ keys: encryptionKeysFrom(parseConfig({ TFA_ENCRYPTION_KEYS: keys }).TFA_ENCRYPTION_KEYS!) });
const decodedText = (body: { payloads: { data: string }[] }) =>
  body.payloads.map((payload) => Buffer.from(payload.data, 'base64').toString()).join('\n');

/** Encrypts like `codec`, then flips one ciphertext bit. */
function tampering(codec: PayloadCodec): PayloadCodec {
  return {
    encode: async (payloads) =>
      (await codec.encode(payloads)).map((payload) => {
        const data = Buffer.from(payload.data!);
        data[data.length - 1]! ^= 1;
        return { ...payload, data };
      }),
    decode: (payloads) => codec.decode(payloads),
  };
}
const clientWith = (codec: PayloadCodec) =>
  new Client({ connection: harness.client.connection, dataConverter: { payloadCodecs: [codec] } });

const decodeBase64 = (text: string | undefined) => Buffer.from(text ?? '', 'base64').toString();
/** Payloads in protobuf JSON (what `temporal ... --output json` prints): objects with `metadata` and base64 `data`. */
function jsonPayloadsIn(value: unknown): { metadata: Record<string, string>; data?: string }[] {
  if (value === null || typeof value !== 'object') return [];
  const record = value as Record<string, any>;
  if (record.metadata && typeof record.metadata.encoding === 'string')
    return [record as { metadata: Record<string, string>; data?: string }];
  return Object.values(record).flatMap(jsonPayloadsIn);
}

let harness: Harness;
let gateway: TestGateway;
let workflowId: string;
let sha: string;

beforeAll(async () => {
  harness = await startHarness({
    encryptionKeys: KEY_A,
    script: [
      callTool('deploy_to_production', { ref: MISSING_REF }),
      callTool('deploy_to_production', { ref: BRANCH }),
      callTool('done_for_now', { message: 'the build is live' }),
    ],
  });
  sha = await harness.fixture.commitOn(BRANCH, { 'notes.txt': 'quarterly build\n' });
  gateway = await startTestGateway({
    client: harness.client,
    taskQueue: harness.taskQueue,
    token: TEST_TOKEN,
    codec: codecOf(KEY_A),
    codecCorsOrigins: [UI_ORIGIN],
  });
  workflowId = `encrypted-${Date.now()}`;
  const handle = await harness.client.workflow.start(AGENT_WORKFLOW_TYPE, {
    taskQueue: harness.taskQueue,
    workflowId,
    args: [{ agent: 'deploybot', message: TASK }],
  });
  await waitForState(handle, (state) => state.status === 'awaiting_approval');
  // Two approvals the worker cannot decrypt (a key it lacks, altered ciphertext) come before the real one.
  await clientWith(codecOf(KEY_B)).workflow.getHandle(workflowId).signal(approveSignal, { by: 'mallory' });
  await clientWith(tampering(codecOf(KEY_A)))
    .workflow.getHandle(workflowId)
    .signal(approveSignal, { by: 'mallory' });
  await handle.signal(approveSignal, { by: 'alice', comment: COMMENT });
  expect(await handle.result()).toMatchObject({ status: 'completed' });
});
afterAll(async () => {
  await gateway?.close();
  await harness?.close();
});

test('the server keeps only ciphertext: no task, tool argument, tool error, pinned SHA or comment in the raw history', async () => {
  const events = await rawHistory(harness.client, workflowId);
  const failures = events.filter((event) => event.activityTaskFailedEventAttributes);
  expect(failures.map((event) => event.activityTaskFailedEventAttributes!.failure!.message)).toEqual([
    'Encoded failure',
  ]);
  const bytes = historyBytes(events);
  for (const plaintext of [TASK, BRANCH, MISSING_REF, sha, COMMENT, 'deploy_to_production'])
    expect(bytes.includes(plaintext)).toBe(false);
  const payloads = applicationPayloads(events);
  expect(payloads.length).toBeGreaterThan(10);
  expect(new Set(payloads.map(encodingOf))).toEqual(new Set(['binary/encrypted']));
});

test('a message the worker cannot decrypt is refused and recorded; the run goes on', async () => {
  const { events } = await harness.client.workflow.getHandle(workflowId).query(threadQuery);
  const refused = events.filter((event) => event.type === 'decision_refused');
  expect(refused).toEqual([
    expect.objectContaining({ message: 'approve', reason: 'undecodable payload: binary/encrypted', count: 2 }),
  ]);
  expect(events.find((event) => event.type === 'approval_granted')).toMatchObject({ by: 'alice', comment: COMMENT });
});

test("the gateway's /codec/decode gives the plaintext back to an authorised caller; payloads it cannot decrypt stay encrypted", async () => {
  const body = payloadsJson(payloadsIn(await rawHistory(harness.client, workflowId)));
  const decoded = await call(gateway, '/codec/decode', { body, headers: { 'x-namespace': 'default' } });
  expect(decoded.status).toBe(200);
  expect(decoded.body.payloads).toHaveLength(body.payloads.length);
  const text = decodedText(decoded.body);
  for (const plaintext of [TASK, BRANCH, MISSING_REF, sha, COMMENT]) expect(text).toContain(plaintext);
  const encodings = decoded.body.payloads.map((payload: any) =>
    Buffer.from(payload.metadata.encoding, 'base64').toString(),
  );
  expect(encodings.filter((encoding: string) => encoding === 'binary/encrypted')).toHaveLength(2); // mallory's two approvals
});

test('`temporal workflow show --codec-endpoint <gateway>/codec --codec-auth` decodes the history; without them it is ciphertext', async () => {
  const show = async (...extra: string[]) => {
    const { stdout } = await execFileAsync(
      temporalCliPath(),
      ['workflow', 'show', '--address', testServerAddress(), '--workflow-id', workflowId, '--output', 'json', ...extra],
      { maxBuffer: 16 * 1024 * 1024 },
    );
    const payloads = jsonPayloadsIn(JSON.parse(stdout));
    return {
      encodings: new Set(payloads.map((payload) => decodeBase64(payload.metadata.encoding))),
      text: payloads.map((payload) => decodeBase64(payload.data)).join('\n'),
    };
  };
  const decoded = await show('--codec-endpoint', `${gateway.url}/codec`, '--codec-auth', `Bearer ${TEST_TOKEN}`);
  for (const plaintext of [TASK, BRANCH, sha, COMMENT]) expect(decoded.text).toContain(plaintext);
  const raw = await show();
  for (const plaintext of [TASK, BRANCH, sha, COMMENT]) expect(raw.text).not.toContain(plaintext);
  expect(raw.encodings).toContain('binary/encrypted');
});

test('after rotation to key B, history written with key A still decodes with keys "B,A"; with B alone it stays encrypted', async () => {
  const body = payloadsJson(payloadsIn(await rawHistory(harness.client, workflowId)));
  const rotated = await startTestGateway({
    client: harness.client,
    taskQueue: harness.taskQueue,
    token: TEST_TOKEN,
    codec: codecOf(`${KEY_B},${KEY_A}`),
  });
  const onlyBReports: string[] = [];
  const onlyB = await startTestGateway({
    client: harness.client,
    taskQueue: harness.taskQueue,
    token: TEST_TOKEN,
    codec: codecOf(KEY_B),
    logError: (line) => onlyBReports.push(line),
  });
  try {
    const decoded = await call(rotated, '/codec/decode', { body });
    expect(decoded.status).toBe(200);
    expect(decodedText(decoded.body)).toContain(COMMENT);
    const encoded = await call(rotated, '/codec/encode', {
      body: {
        payloads: [
          {
            metadata: { encoding: Buffer.from('json/plain').toString('base64') },
            data: Buffer.from('"x"').toString('base64'),
          },
        ],
      },
    });
    expect(Buffer.from(encoded.body.payloads[0].metadata['encryption-key-id'], 'base64').toString()).toBe('b');
    const withoutA = await call(onlyB, '/codec/decode', { body });
    expect(withoutA.status).toBe(200);
    expect(decodedText(withoutA.body)).not.toContain(COMMENT);
    expect(onlyBReports).toContainEqual(expect.stringContaining('key "a": no such key id'));
  } finally {
    await Promise.all([rotated.close(), onlyB.close()]);
  }
});

describe('the codec endpoints: run API auth, CORS for the Web UI origin only, bounded bodies', () => {
  const onePayload = () => ({
    payloads: [
      {
        metadata: { encoding: Buffer.from('json/plain').toString('base64') },
        data: Buffer.from('"hello"').toString('base64'),
      },
    ],
  });

  test('401 without a token or with a wrong one', async () => {
    expect((await call(gateway, '/codec/decode', { token: null, body: onePayload() })).body.error.code).toBe(
      'missing_token',
    );
    expect(
      (await call(gateway, '/codec/encode', { token: 'wrong-token-wrong-token', body: onePayload() })).body.error.code,
    ).toBe('invalid_token');
  });

  test('a preflight from the Web UI origin is answered without a token, allowing X-Namespace and Authorization', async () => {
    const response = await fetch(`${gateway.url}/codec/decode`, {
      method: 'OPTIONS',
      headers: {
        origin: UI_ORIGIN,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type,x-namespace',
        'sec-fetch-site': 'same-site',
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(UI_ORIGIN);
    expect(response.headers.get('access-control-allow-methods')).toContain('POST');
    expect(response.headers.get('access-control-allow-headers')?.toLowerCase().split(/,\s*/)).toEqual(
      expect.arrayContaining(['authorization', 'content-type', 'x-namespace']),
    );
    expect(response.headers.get('access-control-allow-private-network')).toBeNull();
    const fromPublicUi = await fetch(`${gateway.url}/codec/decode`, {
      method: 'OPTIONS',
      headers: {
        origin: UI_ORIGIN,
        'access-control-request-method': 'POST',
        'access-control-request-private-network': 'true',
      },
    });
    expect(fromPublicUi.headers.get('access-control-allow-private-network')).toBe('true');
  });

  test('the Web UI origin may POST to the codec; another origin, or the UI origin on the run API, is refused', async () => {
    const browser = (origin: string) => ({ origin, 'sec-fetch-site': 'cross-site', 'x-namespace': 'default' });
    const fromUi = await fetch(`${gateway.url}/codec/encode`, {
      method: 'POST',
      headers: { ...browser(UI_ORIGIN), authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(onePayload()),
    });
    expect(fromUi.status).toBe(200);
    expect(fromUi.headers.get('access-control-allow-origin')).toBe(UI_ORIGIN);
    const unauthorisedFromUi = await fetch(`${gateway.url}/codec/decode`, {
      method: 'POST',
      headers: { ...browser(UI_ORIGIN), 'content-type': 'application/json' },
      body: JSON.stringify(onePayload()),
    });
    expect(unauthorisedFromUi.status).toBe(401);
    expect(unauthorisedFromUi.headers.get('access-control-allow-origin')).toBe(UI_ORIGIN); // so the UI can show why
    const elsewhere = await fetch(`${gateway.url}/codec/decode`, {
      method: 'POST',
      headers: {
        ...browser('https://evil.example'),
        authorization: `Bearer ${TEST_TOKEN}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify(onePayload()),
    });
    expect(elsewhere.status).toBe(403);
    expect(elsewhere.headers.get('access-control-allow-origin')).toBeNull();
    const preflightElsewhere = await fetch(`${gateway.url}/codec/decode`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(preflightElsewhere.status).toBe(403);
    const launchFromUi = await call(gateway, '/agents/deploybot/runs', {
      headers: browser(UI_ORIGIN),
      body: { message: 'hi' },
    });
    expect(launchFromUi).toMatchObject({ status: 403, body: { error: { code: 'cross_origin' } } });
  });

  test('400 for a body that is not { payloads } with base64 fields; 413 over 4 MiB', async () => {
    const notPayloads = await call(gateway, '/codec/decode', { body: { payload: [] } });
    expect(notPayloads.body.error).toMatchObject({ code: 'invalid_body', issues: [{ path: 'payloads' }] });
    const notBase64 = await call(gateway, '/codec/decode', { body: { payloads: [{ data: 'not base64!' }] } });
    expect(notBase64.body.error).toMatchObject({ code: 'invalid_body', message: expect.stringContaining('base64') });
    expect((await call(gateway, '/codec/decode', { body: '{"payloads":' })).body.error.code).toBe('invalid_json');
    const tooLarge = await call(gateway, '/codec/decode', {
      body: { payloads: [{ data: 'A'.repeat(5 * 1024 * 1024) }] },
    });
    expect(tooLarge).toEqual({
      status: 413,
      body: { error: { code: 'body_too_large', message: expect.stringContaining('4 MiB') } },
    });
  });

  test('503 saying what to set when the gateway has no keys', async () => {
    const plain = await startTestGateway({ client: harness.client, taskQueue: harness.taskQueue, token: TEST_TOKEN });
    try {
      expect(await call(plain, '/codec/decode', { body: onePayload() })).toMatchObject({
        status: 503,
        body: { error: { code: 'encryption_off', message: expect.stringContaining('TFA_ENCRYPTION_KEYS') } },
      });
    } finally {
      await plain.close();
    }
  });
});
