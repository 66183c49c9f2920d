import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { testsPassThenDeploy, waitForChildApproval } from '../support/deploy-pipeline';
import { eventually, startHarness, waitForState, type Harness } from '../support/workflow-harness';
import { runTfa } from '../support/tfa-command';
import { testServerAddress } from '../support/test-server';

const execFileAsync = promisify(execFile);
const root = path.resolve(__dirname, '../..');
let harness: Harness;
afterEach(async () => harness?.close());
// Each `tfa` call starts a Node process; a test making a dozen of them needs more than the default on a loaded machine.
jest.setTimeout(180_000);

/** `tfa` as a user runs it, against the test server and the harness's task queue. */
const tfa = (...args: string[]) =>
  runTfa(args, { TEMPORAL_ADDRESS: testServerAddress(), TFA_TASK_QUEUE: harness?.taskQueue ?? 'tfa' });

test('bad arguments print usage and exit non-zero', async () => {
  const missing = await tfa('approve');
  expect(missing.code).not.toBe(0);
  expect(missing.stderr).toContain("missing required argument 'workflowId'");
  expect(missing.stderr).toContain('Usage: tfa approve');
  const unknown = await tfa('deploy-everything');
  expect(unknown.code).not.toBe(0);
  expect(unknown.stderr).toContain('unknown command');
  const badNumber = await tfa('launch', 'deploybot', 'hi', '--max-steps', 'many');
  expect(badNumber.code).not.toBe(0);
  expect(badNumber.stderr).toContain('expected a positive integer');
});

test('an unknown agent is refused before anything starts, naming the agents there are', async () => {
  const launched = await tfa('launch', 'nosuch', 'hello');
  expect(launched.code).toBe(1);
  expect(launched.stdout).toBe('');
  expect(launched.stderr).toContain(
    'tfa: no agent named "nosuch": use one of deploybot, tester, deployer, notifier, triage, reporter',
  );
});

test('with no server, a command says which address it tried and what to do, and exits 1', async () => {
  const failed = await runTfa(['list'], { TEMPORAL_ADDRESS: '127.0.0.1:1' });
  expect(failed).toMatchObject({ code: 1 });
  expect(failed.stderr).toContain('cannot reach Temporal at 127.0.0.1:1 (TEMPORAL_ADDRESS)');
  expect(failed.stderr).toContain('npm start');
});

test('tfa --version prints the package version; the bin runs the same CLI', async () => {
  const { version } = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as { version: string };
  expect((await tfa('--version')).stdout.trim()).toBe(version);
  const { stdout } = await execFileAsync(process.execPath, [path.join(root, 'scripts/tfa.cjs'), '--version'], {
    cwd: os.tmpdir(),
  });
  expect(stdout.trim()).toBe(version);
});

test('a run that failed at start is explained by its own failure, not an SDK error', async () => {
  harness = await startHarness();
  const workflowId = `tfa-failed-${Date.now()}`;
  const handle = await harness.client.workflow.start('agentWorkflow', {
    taskQueue: harness.taskQueue,
    workflowId,
    args: [{ agent: 'nosuch', message: 'hi' }],
  });
  await handle.result().catch(() => undefined);
  const status = await tfa('status', workflowId);
  expect(status.code).toBe(1);
  expect(status.stderr).toContain(
    `${workflowId} has no thread: this agentWorkflow run is failed: Workflow execution failed: Unknown agent "nosuch".`,
  );
  expect(status.stderr).not.toContain('did not register a handler');
});

test('launch, status, a refused approval and a real one, all through tfa', async () => {
  harness = await startHarness({
    script: [
      { toolCall: { name: 'deploy_to_production', arguments: { ref: 'main' } } },
      { toolCall: { name: 'done_for_now', arguments: { message: 'deployed' } } },
    ],
  });
  const launched = await tfa(
    'launch',
    'deploybot',
    'deploy',
    'main',
    'to',
    'production',
    '--workflow-id',
    `tfa-cli-${Date.now()}`,
  );
  expect(launched.code).toBe(0);
  const workflowId = launched.stdout.trim();
  const handle = harness.client.workflow.getHandle(workflowId);
  await waitForState(handle, (state) => state.status === 'awaiting_approval');

  const status = await tfa('status', workflowId);
  expect(status.stdout).toContain('status=awaiting_approval');
  expect(status.stdout).toMatch(
    /waiting for approval of deploy_to_production \{"ref":"main","sha":"[0-9a-f]{40}"\}\n {2}request \S+ {2}args sha256:[0-9a-f]{64}/,
  );

  const refused = await tfa('approve', workflowId, '--request-id', 'not-a-request', '--by', 'dave');
  expect(refused.code).toBe(1);
  expect(refused.stderr).toContain('unknown request not-a-request');

  const approved = await tfa('approve', workflowId, '--by', 'dave', '--comment', 'go');
  expect(approved.code).toBe(0);
  expect(approved.stdout).toMatch(/^approved \S+/);
  expect(await handle.result()).toMatchObject({ status: 'completed' });

  // What the model was sent at step 2 (after the approval), exactly as the scripted model received it.
  const shown = await tfa('model-input', workflowId, '--step', '2', '--json');
  expect(shown.code).toBe(0);
  const { input, digest, recorded } = JSON.parse(shown.stdout) as {
    input: { instructions: string; context: string };
    digest: string;
    recorded: string;
  };
  expect(harness.model.requests[1]!.body.messages).toEqual([
    { role: 'system', content: input.instructions },
    { role: 'user', content: input.context },
  ]);
  expect(input.context).toContain('approval_granted');
  expect(recorded).toBe(digest);
  const text = await tfa('model-input', workflowId, '--step', '1');
  expect(text.stdout).toMatch(/^# step 1: sha256:[0-9a-f]{64}, the same as the model was sent\n# system\n/);
  const beyond = await tfa('model-input', workflowId, '--step', '3');
  expect(beyond.code).toBe(1);
  expect(beyond.stderr).toContain('has no step 3 here: it has made 2 model decision(s)');

  const listed = await tfa('list', '--limit', '50');
  const lines = listed.stdout.trim().split('\n');
  expect(lines[0]).toBe('WORKFLOW ID\tAGENT\tSTATUS\tSTARTED');
  expect(lines.find((line) => line.startsWith(`${workflowId}\t`))).toMatch(
    new RegExp(`^${workflowId}\tdeploybot\tcompleted\t`),
  );
  expect(launched.stderr).toContain(`started deploybot run ${workflowId}; follow it with: tfa status ${workflowId}`);
});

test('tfa deploy runs the pipeline; status shows the tree; list --waiting finds it; approve on the pipeline id reaches the waiting child', async () => {
  harness = await startHarness();
  const sha = await harness.fixture.sha('main');
  harness.model.enqueue(...testsPassThenDeploy(sha));
  const started = await tfa('deploy', 'main', '--by', 'erin');
  expect(started.code).toBe(0);
  const pipelineId = started.stdout.trim();
  expect(pipelineId).toMatch(/^deploy-main-/);
  await waitForChildApproval(harness.client.workflow, pipelineId);

  const status = await tfa('status', pipelineId);
  expect(status.stdout).toContain(`${pipelineId}  deployWorkflow  ref=main  stage=deploying`);
  expect(status.stdout).toMatch(/testing\s+tester\s+completed/);
  expect(status.stdout).toMatch(/deploying\s+deployer\s+awaiting_approval|deploying\s+deployer\s+running/);
  expect(status.stdout).toContain(`running child ${pipelineId}-deploy:`);
  expect(status.stdout).toContain('waiting for approval of deploy_to_production');

  const waiting = await eventually(async () => {
    const listed = await tfa('list', '--waiting', '--limit', '100');
    return listed.stdout.includes(`${pipelineId}-deploy`) ? listed : undefined;
  }, 15_000);
  expect(waiting.stdout).toContain('awaiting_approval');

  const approved = await tfa('approve', pipelineId, '--by', 'erin');
  expect(approved.code).toBe(0);
  expect(await harness.client.workflow.getHandle(pipelineId).result()).toMatchObject({
    outcome: 'deployed',
    productionSha: sha,
  });
});

test('tfa pause holds a run at its next step boundary and tfa resume passes feedback to the model', async () => {
  // The run waits for an approval the test gives only once the pause is acknowledged: nothing races the CLI's start-up.
  harness = await startHarness({
    script: [
      { toolCall: { name: 'deploy_to_production', arguments: { ref: 'main' } } },
      { toolCall: { name: 'done_for_now', arguments: { message: 'ok' } } },
    ],
  });
  const launched = await tfa('launch', 'deploybot', 'deploy', 'main', '--workflow-id', `tfa-pause-${Date.now()}`);
  const workflowId = launched.stdout.trim();
  const handle = harness.client.workflow.getHandle(workflowId);
  await waitForState(handle, (state) => state.status === 'awaiting_approval');
  expect((await tfa('pause', workflowId, '--by', 'gina', '--reason', 'look first')).code).toBe(0);
  expect((await tfa('status', workflowId)).stdout).toContain('pause requested by gina (look first)');
  expect((await tfa('approve', workflowId, '--by', 'gina')).code).toBe(0);
  await waitForState(handle, (state) => state.status === 'paused');
  expect((await tfa('resume', workflowId, '--by', 'gina', '--feedback', 'only staging please')).code).toBe(0);
  expect(await handle.result()).toMatchObject({ status: 'completed' });
  expect(JSON.stringify(harness.model.requests.at(-1)!.body.messages)).toContain('only staging please');
});
