import { readFile, readlink } from 'node:fs/promises';
import path from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { createReleaseStore } from '../../activities/deploybot/release-store';
import type { WorkflowHandle } from '@temporalio/client';
import type { DeployState } from '../../agents/pipeline';
import type { deployWorkflow } from '../../workflows/deploy';
import { approveSignal, deployStatusQuery, rejectSignal, threadQuery } from '../../workflows/messages';
import { FIXTURE_TEST_COMMAND } from '../support/deploy-fixture';
import {
  startPipeline,
  testsPass,
  testsPassThenDeploy,
  waitForChildApproval as waitForChild,
} from '../support/deploy-pipeline';
import { callTool, type ScriptedReply } from '../../scripts/scripted-model/server';
import { eventually, startHarness, type Harness } from '../support/workflow-harness';

let harness: Harness;
afterEach(async () => harness?.close());

/** A fresh harness whose model follows `script` for `ref`'s SHA, and a pipeline for `ref` started on it. */
async function startScriptedPipeline(ref: string, script: (sha: string) => ScriptedReply[]) {
  harness = await startHarness();
  harness.model.enqueue(...script(await harness.fixture.sha(ref)));
  return startPipeline(harness, ref);
}

const waitForChildApproval = (parentId: string, suffix: string) =>
  waitForChild(harness.client.workflow, parentId, suffix);

/** Approves the production deploy once the pipeline's deployer waits for it. */
async function approveDeploy(handle: WorkflowHandle<typeof deployWorkflow>): Promise<void> {
  await waitForChildApproval(handle.workflowId, 'deploy');
  await handle.signal(approveSignal, { by: 'alice' });
}

/** The release store the harness's worker deploys to, for deploys the test makes behind the pipeline's back. */
const fixtureStore = () =>
  createReleaseStore({ repo: harness.fixture.repo, root: harness.fixture.root, testCommand: FIXTURE_TEST_COMMAND });

const productionRelease = () => readlink(path.join(harness.fixture.root, 'production', 'current'));

test('the full DAG: staging, the test agent passes, one approval sent to the parent id, production deployed', async () => {
  const handle = await startScriptedPipeline('main', testsPassThenDeploy);
  const waiting = await waitForChildApproval(handle.workflowId, 'deploy');
  expect(waiting.pending).toMatchObject({ tool: 'deploy_to_production' });
  const status = await handle.query(deployStatusQuery);
  expect(status).toMatchObject({ stage: 'deploying', tests: { passed: true } });
  expect(status.children.map((child) => [child.workflowId, child.agent, child.status])).toEqual([
    [`${handle.workflowId}-tests`, 'tester', 'completed'],
    [`${handle.workflowId}-deploy`, 'deployer', 'running'],
  ]);

  await handle.signal(approveSignal, { by: 'alice' }); // the parent forwards it to the waiting child
  const result: DeployState = await handle.result();
  const sha = await harness.fixture.sha('main');
  expect(result).toMatchObject({ outcome: 'deployed', stage: 'finished', stagingSha: sha, productionSha: sha });
  expect(result.forwarded).toEqual([{ message: 'approve', to: `${handle.workflowId}-deploy`, by: 'alice' }]);
  expect(await productionRelease()).toContain(sha);
  for (const child of result.children) expect(child.result!.steps).toBeLessThanOrEqual(20);
});

// Issue 15 (found by the cluster run): another pipeline's deploy landing right after this one's made
// production's SHA differ, and the pipeline reported `not_deployed` although its own deploy happened.
test("a deploy superseded at once by another pipeline's deploy is reported deployed, from the deployer's own ledger entry", async () => {
  const after: { deploy?: () => Promise<void> } = {};
  harness = await startHarness({
    wrapActivities: (activities) => ({
      ...activities,
      async executeTool(input) {
        const output = await activities.executeTool(input);
        if (input.tool === 'deploy_to_production') await after.deploy?.();
        return output;
      },
    }),
  });
  const other = await harness.fixture.commitOn('other-pipeline', { 'other.txt': 'another release\n' });
  after.deploy = async () => {
    await fixtureStore().deploy({
      environment: 'production',
      ref: other,
      sha: other,
      operationId: 'deploy-other-pipeline-deploy/evt-1',
    });
  };
  const sha = await harness.fixture.sha('main');
  harness.model.enqueue(...testsPassThenDeploy(sha));
  const handle = await startPipeline(harness, 'main', `deploy-superseded-${Date.now()}`);
  await approveDeploy(handle);

  const result: DeployState = await handle.result();
  expect(result).toMatchObject({ outcome: 'deployed', stagingSha: sha, productionSha: other });
  expect(result.summary).toContain(`production runs ${other} now, deployed after it`);
});

test('a pipeline page tells someone holding only its id that a child waits, and each child and activity names its task', async () => {
  const handle = await startScriptedPipeline('main', testsPassThenDeploy);
  await waitForChildApproval(handle.workflowId, 'deploy');
  const { currentDetails } = await handle.query<{ currentDetails: string }>('__temporal_workflow_metadata');
  expect(currentDetails).toContain('**deployWorkflow** for `main`: deploying');
  expect(currentDetails).toContain(`- deploying: deployer \`${handle.workflowId}-deploy\` running`);
  expect(currentDetails).toContain(`tfa approve ${handle.workflowId} --request-id <id> --by <you>`);
  const deployer = await harness.client.workflow.getHandle(`${handle.workflowId}-deploy`).describe();
  expect(await deployer.staticSummary()).toMatch(/^deployer: Deploy release [0-9a-f]{40}/);
  await handle.signal(approveSignal, { by: 'alice' });
  await handle.result();
  const { events } = await handle.fetchHistory();
  const summaries = (events ?? [])
    .filter((event) => event.activityTaskScheduledEventAttributes)
    .map((event) => Buffer.from(event.userMetadata?.summary?.data ?? new Uint8Array()).toString('utf8'));
  expect(summaries).toEqual(
    expect.arrayContaining([
      '"deploy main to staging"',
      expect.stringMatching(/^"read the recorded test runs of [0-9a-f]{40}"$/),
      '"read the release production runs"',
    ]),
  );
});

test('failing tests take the notify path: an alert goes out and nothing reaches production', async () => {
  const handle = await startScriptedPipeline('broken', (sha) => [
    callTool('run_test_suite', { sha, suite: 'default' }),
    callTool('report_test_results', { passed: false, summary: 'default suite failed: status.txt is not ok' }),
    callTool('send_notification', {
      severity: 'critical',
      title: 'broken failed on staging',
      message: 'check failed: status.txt is not ok',
    }),
    callTool('finish_notifying', { message: 'alert sent' }),
  ]);
  const result = await handle.result();
  expect(result).toMatchObject({ outcome: 'tests_failed', tests: { passed: false } });
  expect(result.children.map((child) => child.agent)).toEqual(['tester', 'notifier']);
  expect(harness.notifications).toContainEqual(expect.stringContaining('CRITICAL: broken failed on staging'));
  const testRun = (
    await harness.client.workflow.getHandle(`${handle.workflowId}-tests`).query(threadQuery)
  ).events.find((event) => event.type === 'tool_result');
  expect(testRun).toMatchObject({ output: expect.stringContaining('"passed":false') });
  await expect(productionRelease()).rejects.toThrow();
});

test('a rejected production approval ends the deploy agent without deploying, and the parent reports it', async () => {
  const handle = await startScriptedPipeline('main', (sha) => [
    ...testsPass(sha),
    callTool('deploy_to_production', { ref: sha }),
    callTool('finish_deploy', { deployed: false, message: 'rejected: change freeze' }),
  ]);
  await waitForChildApproval(handle.workflowId, 'deploy');
  await handle.signal(rejectSignal, { by: 'bob', reason: 'change freeze' });
  const result = await handle.result();
  expect(result).toMatchObject({ outcome: 'not_deployed', productionSha: null });
  expect(result.summary).toContain('rejected: change freeze');
  await expect(productionRelease()).rejects.toThrow();
});

test('a child that hits its step limit is a typed failure the parent branches on', async () => {
  const handle = await startScriptedPipeline('main', (sha) => [
    ...Array.from({ length: 10 }, () => callTool('list_test_suites', { sha })),
    callTool('send_notification', {
      severity: 'warning',
      title: 'tests inconclusive',
      message: 'the test agent ran out of steps',
    }),
    callTool('finish_notifying', { message: 'sent' }),
  ]);
  const result = await handle.result();
  expect(result.outcome).toBe('tests_inconclusive');
  expect(result.children[0]).toMatchObject({ agent: 'tester', status: 'max_steps_reached', result: { steps: 10 } });
  expect(result.children[1]).toMatchObject({ agent: 'notifier', status: 'completed' });
});

test('cancelling the parent while a child waits for approval cancels everything and deploys nothing', async () => {
  const handle = await startScriptedPipeline('main', (sha) => [
    ...testsPass(sha),
    callTool('deploy_to_production', { ref: sha }),
  ]);
  await waitForChildApproval(handle.workflowId, 'deploy');
  await handle.cancel();
  await expect(handle.result()).rejects.toBeInstanceOf(WorkflowFailedError);
  const child = harness.client.workflow.getHandle(`${handle.workflowId}-deploy`);
  expect((await child.describe()).status.name).toBe('CANCELLED');
  expect((await handle.describe()).status.name).toBe('CANCELLED');
  await expect(productionRelease()).rejects.toThrow();
});

test('a release that already runs in production is reported as already deployed, without asking anyone', async () => {
  const first = await startScriptedPipeline('main', testsPassThenDeploy);
  await approveDeploy(first);
  expect((await first.result()).outcome).toBe('deployed');

  harness.model.enqueue(...testsPass(await harness.fixture.sha('main')));
  const second = await startPipeline(harness, 'main', `${first.workflowId}-again`);
  const result = await second.result();
  expect(result).toMatchObject({ outcome: 'already_deployed', productionSha: await harness.fixture.sha('main') });
  expect(result.children.map((child) => child.agent)).toEqual(['tester']);
});

describe('tests that really ran, on that commit', () => {
  const alertCalls = [
    callTool('send_notification', {
      severity: 'warning',
      title: 'pipeline stopped',
      message: 'see the pipeline summary',
    }),
    callTool('finish_notifying', { message: 'alert sent' }),
  ];

  /** Starts a pipeline whose test agent waits until `deployOver` is deployed to staging over the staged release. */
  async function stageThenDeployOver(ref: string, deployOver: string, script: (sha: string) => ScriptedReply[]) {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const handle = await startScriptedPipeline(ref, (sha) => {
      const [first, ...rest] = script(sha);
      return [{ waitFor: gate, then: first! }, ...rest];
    });
    const staged = await eventually(async () => (await handle.query(deployStatusQuery)).stagingSha ?? undefined);
    await fixtureStore().deploy({
      environment: 'staging',
      ref: deployOver,
      operationId: 'deployed-over-the-staged-release',
    });
    release();
    return { handle, staged };
  }

  test('X staged, Y deployed over it: tests run on X, and X does not reach production when its recorded runs fail', async () => {
    const { handle, staged } = await stageThenDeployOver('broken', 'main', (sha) => [
      callTool('run_test_suite', { sha, suite: 'default' }),
      callTool('report_test_results', { passed: true, summary: 'looks fine to me' }),
      ...alertCalls,
    ]);
    const result = await handle.result();
    expect(staged).toBe(await harness.fixture.sha('broken'));
    expect(await readlink(path.join(harness.fixture.root, 'staging', 'current'))).toContain(
      await harness.fixture.sha('main'),
    );
    expect(result).toMatchObject({
      outcome: 'tests_failed',
      evidence: { sha: staged, verdict: 'failed', runs: [{ sha: staged, suite: 'default', passed: false }] },
    });
    expect(result.children.map((child) => child.agent)).toEqual(['tester', 'notifier']);
    await expect(productionRelease()).rejects.toThrow();
  });

  test('X staged, Y deployed over it: tests run on X, and X reaches production only after its recorded runs pass', async () => {
    const { handle, staged } = await stageThenDeployOver('main', 'broken', testsPassThenDeploy);
    await approveDeploy(handle);
    const result = await handle.result();
    expect(result).toMatchObject({
      outcome: 'deployed',
      productionSha: staged,
      evidence: { verdict: 'passed', runs: [{ sha: staged, passed: true }] },
    });
    expect(await productionRelease()).toContain(staged);
  });

  test('a tester that reports passed:true without running a suite ends the pipeline tests_inconclusive with an alert, and no production approval is asked', async () => {
    const handle = await startScriptedPipeline('main', () => [
      callTool('report_test_results', { passed: true, summary: 'all green, trust me' }),
      ...alertCalls,
    ]);
    const result = await handle.result();
    expect(result).toMatchObject({ outcome: 'tests_inconclusive', evidence: { verdict: 'missing', runs: [] } });
    expect(result.summary).toContain('No test run of release');
    expect(result.children.map((child) => child.agent)).toEqual(['tester', 'notifier']);
    expect(harness.notifications).toContainEqual(expect.stringContaining('pipeline stopped'));
    await expect(productionRelease()).rejects.toThrow();
  });

  test('starting the same pipeline workflow id again after the ref moved stages and deploys the new SHA', async () => {
    harness = await startHarness();
    const first = await harness.fixture.commitOn('p-moving', { 'version.txt': 'v1\n' });
    const workflowId = `deploy-p-moving-${Date.now()}`;
    const runPipeline = async (sha: string) => {
      harness.model.enqueue(...testsPassThenDeploy(sha));
      const handle = await startPipeline(harness, 'p-moving', workflowId);
      await approveDeploy(handle);
      return { result: await handle.result(), runId: handle.firstExecutionRunId };
    };
    const once = await runPipeline(first);
    expect(once.result).toMatchObject({ outcome: 'deployed', stagingSha: first });

    const second = await harness.fixture.commitOn('p-moving', { 'version.txt': 'v2\n' });
    const again = await runPipeline(second);
    expect(again.result).toMatchObject({ outcome: 'deployed', stagingSha: second, productionSha: second });
    const staging = (await readFile(path.join(harness.fixture.root, 'staging', 'history.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    // One switch per run: each run's staging deploy changed what staging runs.
    expect(staging.map((entry) => [entry.sha, entry.operationId])).toEqual([
      [first, `${workflowId}/${once.runId}/staging`],
      [second, `${workflowId}/${again.runId}/staging`],
    ]);
  });
});
