import { readlink } from 'node:fs/promises';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { createReleaseStore, type ReleaseStore } from '../../activities/deploybot/release-store';
import { AGENT_WORKFLOW_TYPE } from '../../core/constants';
import { argsDigest } from '../../core/digest';
import type { EventOf, ThreadEventType } from '../../core/thread';
import { approveSignal, threadQuery } from '../../workflows/messages';
import { FIXTURE_TEST_COMMAND } from '../support/deploy-fixture';
import { callTool, type ScriptedReply } from '../../scripts/scripted-model/server';
import { startHarness, waitForState, type Harness } from '../support/workflow-harness';

let harness: Harness;
afterEach(async () => harness?.close());

const done = callTool('done_for_now', { message: 'finished' });

async function startDeploybot(script: ScriptedReply[]) {
  harness.model.enqueue(...script);
  return harness.client.workflow.start(AGENT_WORKFLOW_TYPE, {
    taskQueue: harness.taskQueue,
    workflowId: `pinned-${Date.now()}-${Math.random().toString(36).slice(2)}`,
    args: [{ agent: 'deploybot', message: 'deploy to production' }],
  });
}

const store = (): ReleaseStore =>
  createReleaseStore({ repo: harness.fixture.repo, root: harness.fixture.root, testCommand: FIXTURE_TEST_COMMAND });
const currentIn = async (environment: string) =>
  path.basename(await readlink(path.join(harness.fixture.root, environment, 'current')));
const eventsOf = async <T extends ThreadEventType>(handle: WorkflowHandle, type: T) =>
  (await handle.query(threadQuery)).events.filter((event): event is EventOf<T> => event.type === type);

beforeEach(async () => (harness = await startHarness()));

describe('commits, not refs', () => {
  test('approving deploy_to_production {"ref":"p-moving"} then moving the branch deploys the approved SHA, not the newer commit', async () => {
    const approved = await harness.fixture.commitOn('p-moving', { 'version.txt': 'v1\n' });
    const handle = await startDeploybot([callTool('deploy_to_production', { ref: 'p-moving' }), done]);
    const waiting = await waitForState(handle, (state) => state.status === 'awaiting_approval');
    const pinned = { ref: 'p-moving', sha: approved };
    expect(waiting.pending).toMatchObject({
      tool: 'deploy_to_production',
      args: pinned,
      argsDigest: argsDigest(pinned),
    });
    expect((await eventsOf(handle, 'tool_call'))[0]!.args).toEqual({ ref: 'p-moving' }); // what the model asked, kept as asked
    expect(harness.notifications.join('\n')).toContain(approved);

    const newer = await harness.fixture.commitOn('p-moving', { 'version.txt': 'v2\n' });
    await handle.signal(approveSignal, { by: 'alice' });
    expect(await handle.result()).toMatchObject({ status: 'completed' });
    expect(await currentIn('production')).toBe(approved);
    const [result] = await eventsOf(handle, 'tool_result');
    expect(result!.output).toContain(approved);
    expect(result!.output).not.toContain(newer);
  });

  test('a ref that does not resolve is a tool error the model sees, and no approval is asked', async () => {
    const handle = await startDeploybot([callTool('deploy_to_production', { ref: 'no-such-branch' }), done]);
    expect(await handle.result()).toMatchObject({ status: 'completed' });
    const [error] = await eventsOf(handle, 'error');
    expect(error).toMatchObject({
      source: 'tool',
      tool: 'deploy_to_production',
      message: expect.stringContaining('Unknown ref "no-such-branch"'),
    });
    expect(await eventsOf(handle, 'approval_requested')).toEqual([]);
    expect(JSON.stringify(harness.model.requests[1]!.body.messages)).toContain('no-such-branch');
  });

  test('rollback shows its target in the request: the environment, the SHA it leaves and the SHA it returns to', async () => {
    const [good, bad] = [await harness.fixture.sha('main'), await harness.fixture.sha('broken')];
    await store().deploy({ environment: 'production', ref: 'main', operationId: 'first' });
    await store().deploy({ environment: 'production', ref: 'broken', operationId: 'second' });
    const handle = await startDeploybot([callTool('rollback', { environment: 'production' }), done]);
    const waiting = await waitForState(handle, (state) => state.status === 'awaiting_approval');
    expect(waiting.pending).toMatchObject({
      tool: 'rollback',
      args: { environment: 'production', fromSha: bad, toSha: good },
    });
    await handle.signal(approveSignal, { by: 'alice' });
    expect(await handle.result()).toMatchObject({ status: 'completed' });
    expect(await currentIn('production')).toBe(good);
  });

  test('an approved rollback is refused when the environment no longer runs the SHA it was asked to leave', async () => {
    await store().deploy({ environment: 'production', ref: 'main', operationId: 'first' });
    await store().deploy({ environment: 'production', ref: 'broken', operationId: 'second' });
    const handle = await startDeploybot([callTool('rollback', { environment: 'production' }), done]);
    await waitForState(handle, (state) => state.status === 'awaiting_approval');
    const since = await harness.fixture.commitOn('hotfix', { 'version.txt': 'hotfix\n' });
    await store().deploy({ environment: 'production', ref: 'hotfix', operationId: 'third' });

    await handle.signal(approveSignal, { by: 'alice' });
    expect(await handle.result()).toMatchObject({ status: 'completed' });
    const [error] = await eventsOf(handle, 'error');
    expect(error).toMatchObject({
      source: 'tool',
      tool: 'rollback',
      message: expect.stringContaining(`production now runs ${since}`),
    });
    expect(await currentIn('production')).toBe(since);
  });
});
