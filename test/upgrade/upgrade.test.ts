// New code, old runs (README "Upgrading"): a run waits for approval on workflow code N, N's worker
// stops, a worker with N+1 (a real change behind patched()) starts, the approval arrives, and the
// run finishes on N+1. The same change without patched() does not replay a run recorded on N.
import fs from 'node:fs';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { DeterminismViolationError } from '@temporalio/workflow';
import { Worker } from '@temporalio/worker';
import { AGENT_WORKFLOW_TYPE } from '../../core/constants';
import { callTool } from '../../scripts/scripted-model/server';
import { testServerAddress, workflowBundlePath } from '../support/test-server';
import { FINISHED_ON, FINISHED_ON_PATCH, NEXT_REVISION, STARTED_ON, STARTED_ON_PATCH } from './revision-change';
import {
  bundleRevision,
  createUpgradeEnvironment,
  patchMarked,
  signalledAt,
  upgradeWaitingRun,
  type UpgradeEnvironment,
} from './waiting-run-upgrade';

let environment: UpgradeEnvironment;
let revisionNext: { code: string };

beforeAll(async () => {
  [environment, revisionNext] = await Promise.all([
    createUpgradeEnvironment(testServerAddress()),
    bundleRevision(require.resolve('./next-workflows')),
  ]);
});

afterAll(async () => environment?.close());

test('a run waiting for approval on revision N is approved after N+1 is deployed, and finishes on N+1', async () => {
  const upgrade = await upgradeWaitingRun(environment, { revisionN: { codePath: workflowBundlePath() }, revisionNext });
  expect(upgrade.result).toMatchObject({ status: 'completed', result: { message: 'main is live' } });
  expect(upgrade.thread.map((event) => event.type).slice(-4)).toEqual([
    'approval_granted',
    'tool_result',
    'tool_call',
    'done',
  ]);

  // The history: N's part as it was, then N+1's changed path after the approval (and only there).
  const { history, historyOnN } = upgrade;
  expect(history.slice(0, historyOnN.length).map((event) => event.eventType)).toEqual(
    historyOnN.map((event) => event.eventType),
  );
  expect(signalledAt(history)).toBeGreaterThanOrEqual(historyOnN.length);
  const markedAt = (patchId: string) =>
    history.flatMap((event, index) => (patchMarked(event) === patchId ? [index] : []));
  expect(markedAt(STARTED_ON_PATCH)).toEqual([]);
  expect(markedAt(FINISHED_ON_PATCH)).toEqual([expect.any(Number)]);
  expect(markedAt(FINISHED_ON_PATCH)[0]).toBeGreaterThan(signalledAt(history));
  expect(upgrade.memo).toEqual({ [FINISHED_ON]: NEXT_REVISION });
});

test('a run started on N+1 takes the changed path from its start', async () => {
  environment.model.enqueue(callTool('done_for_now', { message: 'nothing to do' }));
  const worker = await environment.startWorker(revisionNext);
  try {
    const handle = await environment.client.workflow.start(AGENT_WORKFLOW_TYPE, {
      taskQueue: environment.taskQueue,
      workflowId: `upgrade-new-${Date.now()}`,
      args: [{ agent: 'deploybot', message: 'anything to deploy?' }],
    });
    expect(await handle.result()).toMatchObject({ status: 'completed' });
    expect((await handle.describe()).memo).toEqual({ [STARTED_ON]: NEXT_REVISION, [FINISHED_ON]: NEXT_REVISION });
  } finally {
    await worker.stop();
  }
});

test('the same change without patched() does not replay a run that waited for approval on revision N', async () => {
  const saved = path.join(__dirname, '../replay/histories/deploybot-approved.json');
  const history = historyFromJSON(JSON.parse(fs.readFileSync(saved, 'utf8')));
  const unguarded = await bundleRevision(require.resolve('./unguarded-workflows'));
  await expect(
    Worker.runReplayHistory({ workflowBundle: unguarded }, history, 'replay-deploybot-approved'),
  ).rejects.toThrow(DeterminismViolationError);
  await expect(
    Worker.runReplayHistory({ workflowBundle: revisionNext }, history, 'replay-deploybot-approved'),
  ).resolves.toBeUndefined();
});
