// A run in a namespace other than `default`: every `temporal` line it prints names that namespace,
// or a person copying it would signal a run that does not exist.
import { Connection } from '@temporalio/client';
import { AGENT_WORKFLOW_TYPE } from '../../core/constants';
import { callTool } from '../../scripts/scripted-model/server';
import { registerNamespace } from '../support/namespaces';
import { testServerAddress } from '../support/test-server';
import { eventually, startHarness, waitForState } from '../support/workflow-harness';

const namespace = `tfa-ns-${process.pid}-${Date.now()}`;

test('notices and the Web UI details of a run in another namespace name it with --namespace', async () => {
  const connection = await Connection.connect({ address: testServerAddress() });
  await registerNamespace(connection, namespace).finally(() => connection.close());
  const { client, taskQueue, notifications, close } = await startHarness({
    namespace,
    script: [callTool('deploy_to_production', { ref: 'main' })],
  });
  try {
    const handle = await client.workflow.start(AGENT_WORKFLOW_TYPE, {
      taskQueue,
      workflowId: `ns-${Date.now()}`,
      args: [{ agent: 'deploybot', message: 'deploy main' }],
    });
    await waitForState(handle, (state) => state.status === 'awaiting_approval', 60_000);
    const notice = await eventually(() => notifications.find((text) => text.includes('--name approve')));
    const { currentDetails } = await handle.query<{ currentDetails: string }>('__temporal_workflow_metadata');
    for (const text of [notice, currentDetails]) {
      expect(text).toContain(
        `temporal workflow signal --namespace ${namespace} --workflow-id ${handle.workflowId} --name approve`,
      );
      expect(text).not.toMatch(/temporal workflow signal --workflow-id/);
    }
    await handle.terminate('checked');
  } finally {
    await close();
  }
});
