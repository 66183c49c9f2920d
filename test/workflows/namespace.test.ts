// A run in a namespace other than `default`: every `temporal` line it prints names that namespace,
// or a person copying it would signal a run that does not exist.
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import OpenAI from 'openai';
import { createActivities } from '../../activities';
import { createConsoleChannel } from '../../activities/channels/console-channel';
import { createReleaseStore } from '../../activities/deploybot/release-store';
import { createListRuns } from '../../activities/reporter/list-runs';
import { createToolExecutors } from '../../activities/tool-executors';
import { AGENT_WORKFLOW_TYPE } from '../../core/constants';
import { callTool, startScriptedModelServer } from '../../scripts/scripted-model/server';
import { createWorker } from '../../worker/create-worker';
import { createDeployFixture, FIXTURE_TEST_COMMAND } from '../support/deploy-fixture';
import { registerNamespace } from '../support/namespaces';
import { testServerAddress, workflowBundlePath } from '../support/test-server';
import { eventually, waitForState } from '../support/workflow-harness';

const namespace = `tfa-ns-${process.pid}-${Date.now()}`;
const taskQueue = `ns-${process.pid}-${Date.now()}`;

test('notices and the Web UI details of a run in another namespace name it with --namespace', async () => {
  const address = testServerAddress();
  const [connection, native, model, fixture] = await Promise.all([
    Connection.connect({ address }),
    NativeConnection.connect({ address }),
    startScriptedModelServer({ script: [callTool('deploy_to_production', { ref: 'main' })] }),
    createDeployFixture(),
  ]);
  try {
    await registerNamespace(connection, namespace);
    const client = new Client({ connection, namespace });
    const notices: string[] = [];
    const channel = createConsoleChannel((text) => notices.push(text));
    const releases = createReleaseStore({ repo: fixture.repo, root: fixture.root, testCommand: FIXTURE_TEST_COMMAND });
    const activities = createActivities({
      openai: new OpenAI({ baseURL: model.baseURL, apiKey: 'scripted', maxRetries: 0 }),
      executors: createToolExecutors({ releases, channel, listRuns: createListRuns({ client, taskQueue }) }),
      channel,
      policy: { kind: 'none' },
      releases,
    });
    const worker = await createWorker({
      connection: native,
      namespace,
      taskQueue,
      activities,
      workflowBundle: { codePath: workflowBundlePath() },
    });
    await worker.runUntil(async () => {
      const handle = await client.workflow.start(AGENT_WORKFLOW_TYPE, {
        taskQueue,
        workflowId: `ns-${Date.now()}`,
        args: [{ agent: 'deploybot', message: 'deploy main' }],
      });
      await waitForState(handle, (state) => state.status === 'awaiting_approval', 60_000);
      const notice = await eventually(() => notices.find((text) => text.includes('--name approve')));
      const { currentDetails } = await handle.query<{ currentDetails: string }>('__temporal_workflow_metadata');
      for (const text of [notice, currentDetails]) {
        expect(text).toContain(
          `temporal workflow signal --namespace ${namespace} --workflow-id ${handle.workflowId} --name approve`,
        );
        expect(text).not.toMatch(/temporal workflow signal --workflow-id/);
      }
      await handle.terminate('checked');
    });
  } finally {
    await Promise.all([connection.close(), native.close(), model.close(), fixture.cleanup()]);
  }
});
