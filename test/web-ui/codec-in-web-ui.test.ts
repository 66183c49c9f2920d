import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { chromium, type BrowserContext } from 'playwright-core';
import { encryptionCodecFrom } from '../../codec/from-config';
import { AGENT_WORKFLOW_TYPE } from '../../core/constants';
import { parseConfig } from '../../core/config';
import { buildGateway } from '../../client/gateway/app';
import { devServerTuningArgs } from '../../scripts/dev-server-tuning';
import { TFA_SEARCH_ATTRIBUTE_KEYS } from '../../workflows/search-attributes';
import { freePort } from '../support/free-port';
import { historyBytes, rawHistory } from '../support/raw-history';
import { temporalCliPath } from '../support/test-server';
import { startHarness, waitForState, type Harness } from '../support/workflow-harness';

const BRANCH = 'release/osprey-3141';
const ENCRYPTION_KEYS = `ui:${randomBytes(32).toString('base64')}`;
/** Debian's Chromium (`apt-get install chromium`); TFA_CHROMIUM names another build. */
const CHROMIUM = process.env.TFA_CHROMIUM ?? '/usr/bin/chromium';

let env: TestWorkflowEnvironment;
let harness: Harness;
let gateway: ReturnType<typeof buildGateway>;
let browser: BrowserContext;
let profileDir: string;
let uiUrl: string;

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `no Chromium at ${CHROMIUM}: install Debian's chromium (apt-get install chromium) or set TFA_CHROMIUM to a Chromium binary`,
    );
  const [gatewayPort, uiPort] = [await freePort(), await freePort()];
  uiUrl = `http://127.0.0.1:${uiPort}`;
  env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: temporalCliPath() },
      ip: '127.0.0.1',
      ui: true,
      uiPort,
      log: { format: 'pretty', level: 'error' },
      searchAttributes: TFA_SEARCH_ATTRIBUTE_KEYS,
      extraArgs: [
        ...devServerTuningArgs({ sqlite: false }),
        '--ui-codec-endpoint',
        `http://127.0.0.1:${gatewayPort}/codec`,
      ],
    },
  });
  harness = await startHarness({
    address: env.address,
    encryptionKeys: ENCRYPTION_KEYS,
    script: [{ toolCall: { name: 'deploy_to_production', arguments: { ref: BRANCH } } }],
  });
  await harness.fixture.commitOn(BRANCH, { 'notes.txt': 'osprey\n' });
  // As `npm start` runs it without TFA_GATEWAY_TOKEN: loopback only, and the dev UI's origin may call the codec.
  gateway = buildGateway({
    client: harness.client,
    taskQueue: harness.taskQueue,
    codec: encryptionCodecFrom(parseConfig({ TFA_ENCRYPTION_KEYS: ENCRYPTION_KEYS }))!,
    codecCorsOrigins: [uiUrl],
    logError: () => {},
  });
  await gateway.listen({ host: '127.0.0.1', port: gatewayPort });
  profileDir = await fs.mkdtemp(path.join(os.tmpdir(), 'tfa-chromium-'));
  // A fresh profile each run (playwright passes it as --user-data-dir).
  browser = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await gateway?.close();
  await harness?.close();
  await env?.teardown();
  if (profileDir) await fs.rm(profileDir, { recursive: true, force: true });
});

test("the Web UI shows a tool argument of an encrypted run, decoded through the gateway's codec endpoint", async () => {
  const workflowId = `web-ui-codec-${Date.now()}`;
  const handle = await harness.client.workflow.start(AGENT_WORKFLOW_TYPE, {
    taskQueue: harness.taskQueue,
    workflowId,
    args: [{ agent: 'deploybot', message: 'ship the osprey build' }],
  });
  await waitForState(handle, (state) => state.status === 'awaiting_approval', 60_000);
  expect(historyBytes(await rawHistory(harness.client, workflowId)).includes(BRANCH)).toBe(false);

  const page = await browser.newPage();
  const decodeCalls: string[] = [];
  page.on('request', (request) => {
    if (request.url().endsWith('/codec/decode')) decodeCalls.push(request.method());
  });
  await page.goto(`${uiUrl}/namespaces/default/workflows/${workflowId}/${handle.firstExecutionRunId}/history`);
  try {
    await page.getByText(BRANCH).first().waitFor({ timeout: 60_000 });
  } catch (error) {
    console.log(decodeCalls, (await page.locator('body').innerText()).slice(0, 4000));
    throw error;
  }
  expect(decodeCalls).toContain('POST');
}, 180_000);

// Issue 12: each step's model activity receives the rendered input, so the Web UI shows what the model was sent.
test("the Web UI shows the model input of a step (the agent's instructions) on its model activity", async () => {
  harness.model.enqueue({ toolCall: { name: 'deploy_to_production', arguments: { ref: BRANCH } } });
  const workflowId = `web-ui-model-input-${Date.now()}`;
  const handle = await harness.client.workflow.start(AGENT_WORKFLOW_TYPE, {
    taskQueue: harness.taskQueue,
    workflowId,
    args: [{ agent: 'deploybot', message: 'ship the osprey build' }],
  });
  await waitForState(handle, (state) => state.status === 'awaiting_approval', 60_000);

  const page = await browser.newPage();
  await page.goto(`${uiUrl}/namespaces/default/workflows/${workflowId}/${handle.firstExecutionRunId}/history`);
  const instructions = 'You are deploybot, a deployment assistant.';
  // The event list shows each event's summary; opening the model activity's scheduled event shows its input.
  await page
    .getByRole('row')
    .filter({ hasText: 'Activity Task Scheduled' })
    .filter({ hasText: 'chooseNextTool' })
    .first()
    .click();
  try {
    await page.getByText(instructions).first().waitFor({ timeout: 60_000 });
  } catch (error) {
    console.log((await page.locator('body').innerText()).slice(0, 4000));
    throw error;
  }
  await page.screenshot({ path: path.join(os.tmpdir(), 'tfa-web-ui-model-input.png'), fullPage: true });
}, 180_000);

// Issue 12: a read-only step chained in the model activity is recorded with the context it was sent.
test("the Web UI shows the context of a read-only step chained in a model activity, in that activity's result", async () => {
  harness.model.enqueue(
    { toolCall: { name: 'list_releases', arguments: { environment: 'staging' } } },
    { toolCall: { name: 'list_releases', arguments: { environment: 'production' } } },
    { toolCall: { name: 'done_for_now', arguments: { message: 'listed both' } } },
  );
  const workflowId = `web-ui-chained-${Date.now()}`;
  const handle = await harness.client.workflow.start(AGENT_WORKFLOW_TYPE, {
    taskQueue: harness.taskQueue,
    workflowId,
    args: [{ agent: 'deploybot', message: 'list the releases' }],
  });
  expect(await handle.result()).toMatchObject({ status: 'completed', steps: 3 });

  const page = await browser.newPage();
  await page.goto(`${uiUrl}/namespaces/default/workflows/${workflowId}/${handle.firstExecutionRunId}/history`);
  await page.getByRole('row').filter({ hasText: 'Activity Task Completed' }).first().click();
  // The second step's context shows the first step's call; the third's, the second's.
  const chainedContext = "<tool_call tool='list_releases'>{environment: production}</tool_call>";
  try {
    await page.getByText(chainedContext, { exact: false }).first().waitFor({ timeout: 60_000 });
  } catch (error) {
    console.log((await page.locator('body').innerText()).slice(0, 6000));
    throw error;
  }
  await page.screenshot({ path: path.join(os.tmpdir(), 'tfa-web-ui-chained-input.png'), fullPage: true });
}, 180_000);
