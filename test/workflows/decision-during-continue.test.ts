// A decision that arrives while the workflow task continuing the run as new is still on the worker must
// not be lost: Temporal refuses to continue a run with unhandled signals, and the retried task holds it.
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { NativeConnection, Worker } from '@temporalio/worker';
import type { InjectedSinks } from '@temporalio/worker';
import type { LoggerSinksInternal } from '@temporalio/workflow/lib/logs';
import { AGENT_WORKFLOW_TYPE } from '../../core/constants';
import { PAYLOAD_CONVERTER_PATH } from '../../worker/create-worker';
import { approveSignal, statusQuery, threadQuery } from '../../workflows/messages';
import { callTool } from '../../scripts/scripted-model/server';
import { testServerAddress, workflowBundlePath } from '../support/test-server';
import { eventually, startHarness, waitForState, type Harness } from '../support/workflow-harness';

jest.setTimeout(180_000);

let harness: Harness | undefined;
let connection: Connection | undefined;
let heldWorker: { worker: Worker; running: Promise<void>; connection: NativeConnection } | undefined;
afterEach(async () => {
  heldWorker?.worker.shutdown();
  await heldWorker?.running;
  await heldWorker?.connection.close();
  await harness?.close();
  await connection?.close();
});

/**
 * A worker whose workflow tasks wait, before completing, until `release` is called: the SDK awaits the
 * activation's sink calls (the workflow's log.warn on a refused decision) before it reports the task.
 */
async function startHoldingWorker(taskQueue: string) {
  let reached = false;
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const pass = { fn: () => undefined, callDuringReplay: false };
  // `defaultWorkerLogger` is the name a worker may override the workflow logger's sink by.
  const sinks: InjectedSinks<{ defaultWorkerLogger: LoggerSinksInternal['__temporal_logger'] }> = {
    defaultWorkerLogger: {
      trace: pass,
      debug: pass,
      info: pass,
      error: pass,
      warn: {
        fn: async () => {
          reached = true;
          await released;
        },
        callDuringReplay: false,
      },
    },
  };
  const connection = await NativeConnection.connect({ address: testServerAddress() });
  const worker = await Worker.create({
    connection,
    taskQueue,
    workflowBundle: { codePath: workflowBundlePath() },
    dataConverter: { payloadConverterPath: PAYLOAD_CONVERTER_PATH },
    sinks,
  });
  heldWorker = { worker, running: worker.run(), connection };
  return { reached: () => reached, release };
}

test('an approval sent while the worker holds the task that continues the run as new is applied, not lost', async () => {
  const started = await startHarness({
    script: [callTool('deploy_to_production', { ref: 'main' }), callTool('done_for_now', { message: 'finished' })],
  });
  harness = started;
  const taskQueue = started.taskQueue;
  const handle = await started.client.workflow.start(AGENT_WORKFLOW_TYPE, {
    taskQueue,
    workflowId: `decision-during-continue-${Date.now()}`,
    args: [{ agent: 'deploybot', message: 'deploy main to production', continueAsNewAtHistoryBytes: 150_000 }],
  });
  const waiting = await waitForState(handle, (state) => state.status === 'awaiting_approval');
  const { runId: firstRunId } = await handle.describe();
  await harness.close(); // its worker stops; the run waits in Temporal
  harness = undefined;
  connection = await Connection.connect({ address: testServerAddress() });
  const run = new Client({ connection }).workflow.getHandle(handle.workflowId);

  // With no worker polling, the whole flood lands in one workflow task: the one that continues the run as new.
  for (let sent = 0; sent < 10; sent++) await run.signal(approveSignal, { by: 'x'.repeat(40_000) });
  // A well-formed decision for another request: its refusal is logged, and that log call is what the worker holds.
  await run.signal(approveSignal, { by: 'mallory', requestId: 'not-the-pending-request' });
  const { reached, release } = await startHoldingWorker(taskQueue);
  await eventually(reached, 60_000); // the task has run the refusals and decided to continue as new; its completion is held
  await run.signal(approveSignal, { by: 'alice', requestId: waiting.pending!.requestId });
  release();

  const events = await eventually(async () => {
    const { events } = await run.query(threadQuery);
    return events.some((event) => event.type === 'approval_granted') ? events : undefined;
  }, 60_000);
  expect(events.find((event) => event.type === 'approval_granted')).toMatchObject({
    requestId: waiting.pending!.requestId,
    by: 'alice',
  });
  const state = await run.query(statusQuery);
  expect(state.pending).toBeNull();
  // The held task did continue the run as new; Temporal refused that (a signal it had not seen) and the retry applied the approval.
  const history = await new Client({ connection }).workflow.getHandle(handle.workflowId, firstRunId).fetchHistory();
  const failedTasks = (history.events ?? []).filter((event) => event.workflowTaskFailedEventAttributes);
  expect(failedTasks.map((event) => event.workflowTaskFailedEventAttributes!.cause)).toContain(
    temporal.api.enums.v1.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND,
  );
  expect((await run.describe()).runId).toBe(firstRunId);
  await run.terminate('test done');
});
