import { mkdtemp, readlink, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import OpenAI from 'openai';
import { createActivities } from '../../activities';
import { createConsoleChannel } from '../../activities/channels/console-channel';
import { createReleaseStore } from '../../activities/deploybot/release-store';
import { createToolExecutors } from '../../activities/tool-executors';
import { AGENT_WORKFLOW_TYPE } from '../../core/constants';
import { startDevServer } from '../../scripts/dev-server';
import { createWorker } from '../../worker/create-worker';
import { approveSignal } from '../../workflows/messages';
import { createDeployFixture, FIXTURE_TEST_COMMAND } from '../support/deploy-fixture';
import { startScriptedModelServer } from '../../scripts/scripted-model/server';
import { temporalCliPath, workflowBundlePath } from '../support/test-server';
import { waitForState } from '../support/workflow-harness';
import { freePort } from '../support/free-port';

test('a run waiting for approval survives a restart of the Temporal server and of its worker', async () => {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'tfa-restart-'));
  const fixture = await createDeployFixture();
  const model = await startScriptedModelServer({
    script: [
      { toolCall: { name: 'deploy_to_production', arguments: { ref: 'main' } } },
      { toolCall: { name: 'done_for_now', arguments: { message: 'deployed after a restart' } } },
    ],
  });
  const address = `127.0.0.1:${await freePort()}`;
  const uiPort = await freePort();
  const releases = createReleaseStore({ repo: fixture.repo, root: fixture.root, testCommand: FIXTURE_TEST_COMMAND });
  const channel = createConsoleChannel(() => {});
  const activitiesFor = () =>
    createActivities({
      openai: new OpenAI({ baseURL: model.baseURL, apiKey: 'scripted', maxRetries: 0 }),
      executors: createToolExecutors({ releases, channel }),
      channel,
      releases,
    });
  const up = async () => {
    const server = await startDevServer({ cli: temporalCliPath(), address, dataDir, uiPort });
    const connection = await Connection.connect({ address });
    const client = new Client({ connection });
    const native = await NativeConnection.connect({ address });
    const worker = await createWorker({
      connection: native,
      namespace: 'default',
      taskQueue: 'restart',
      activities: activitiesFor(),
      workflowBundle: { codePath: workflowBundlePath() },
    });
    const running = worker.run();
    const down = async () => {
      worker.shutdown();
      await running;
      await Promise.all([native.close(), connection.close()]);
      await server.stop();
    };
    return { client, down };
  };
  let stack: { down: () => Promise<void> } | undefined;
  try {
    const first = await up();
    stack = first;
    const handle = await first.client.workflow.start(AGENT_WORKFLOW_TYPE, {
      taskQueue: 'restart',
      workflowId: 'survives-restart',
      args: [{ agent: 'deploybot', message: 'deploy main to production' }],
    });
    await waitForState(handle, (state) => state.status === 'awaiting_approval');
    await first.down();
    stack = undefined;

    const second = await up(); // the same SQLite file: the run and its thread are still there
    stack = second;
    const resumed = second.client.workflow.getHandle('survives-restart');
    await waitForState(resumed, (state) => state.status === 'awaiting_approval');
    await resumed.signal(approveSignal, { by: 'frank' });
    expect(await resumed.result()).toMatchObject({
      status: 'completed',
      result: { message: 'deployed after a restart' },
    });
    expect(model.requests).toHaveLength(2);
    expect(await readlink(path.join(fixture.root, 'production', 'current'))).toContain(await fixture.sha('main'));
  } finally {
    await stack?.down();
    await Promise.all([model.close(), fixture.cleanup(), rm(dataDir, { recursive: true, force: true })]);
  }
}, 120_000);
