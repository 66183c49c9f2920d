import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createDeployFixture, FIXTURE_TEST_COMMAND, type DeployFixture } from '../support/deploy-fixture';
import { eventually } from '../support/workflow-harness';
import { temporalCliPath } from '../support/test-server';
import { freePort } from '../support/free-port';

const execFileAsync = promisify(execFile);
const root = path.resolve(__dirname, '../..');

let stack: ChildProcess | undefined;
let output = '';
let dataDir: string;
let fixture: DeployFixture;
let env: NodeJS.ProcessEnv;

/**
 * `npm start`'s entry (scripts/start.ts) on its own ports and data directory, deploying the fixture
 * repository with the SIMULATED demo model.
 */
beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'tfa-readme-'));
  fixture = await createDeployFixture();
  await fixture.commitOn('main', { 'notes.txt': 'a second commit, so HEAD~1 names one production does not run\n' });
  const { OPENAI_API_KEY: _key, OPENAI_BASE_URL: _url, ...inherited } = process.env;
  env = {
    ...inherited,
    TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}`,
    TFA_WEB_UI_URL: `http://localhost:${await freePort()}`,
    TFA_DATA_DIR: dataDir,
    TFA_GATEWAY_PORT: '0',
    TFA_DEPLOY_REPO: fixture.repo,
    TFA_DEPLOY_TEST_COMMAND: FIXTURE_TEST_COMMAND,
    TFA_POLICY_FILE: path.join(dataDir, 'no-policy.json'),
    TFA_TEMPORAL_CLI: temporalCliPath(),
  };
  stack = spawn(path.join(root, 'node_modules/.bin/tsx'), ['scripts/start.ts'], {
    cwd: root,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  stack.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  stack.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await eventually(
    () => output.includes('tfa is running.') || (stack!.exitCode !== null && Promise.reject(new Error(output))),
    120_000,
  );
}, 150_000);

afterAll(async () => {
  if (stack && stack.exitCode === null) {
    const exited = new Promise((resolve) => stack!.once('exit', resolve));
    process.kill(-stack.pid!, 'SIGINT');
    await exited;
  }
  await fixture?.cleanup();
  await rm(dataDir, { recursive: true, force: true });
}, 60_000);

/** A README line, run as a user runs it in a shell next to `npm start`. */
async function sh(line: string): Promise<string> {
  const temporalDir = path.dirname(temporalCliPath());
  const { stdout } = await execFileAsync('/bin/sh', ['-c', line], {
    cwd: root,
    env: { ...env, PATH: `${temporalDir}:${env.PATH}` },
  });
  return stdout;
}
const temporal = (args: string) => sh(`temporal ${args} --address ${env.TEMPORAL_ADDRESS}`);

test('the README walkthrough works in the order it is written: DeployBot, then the pipeline', async () => {
  expect(output).toContain('Model: SCRIPTED (simulated, not an LLM)');
  expect(output).toContain('ANYONE may approve');

  // Deploy with DeployBot, step by step: 2, 3, 4.
  await temporal(
    `workflow start --task-queue tfa --type agentWorkflow --workflow-id deploy-main --input '{"agent":"deploybot","message":"deploy main to production"}'`,
  );
  const waiting = await eventually(async () => {
    const status = await sh('npx tfa status deploy-main');
    return status.includes('status=awaiting_approval') ? status : undefined;
  }, 60_000);
  expect(waiting).toMatch(/waiting for approval of deploy_to_production \{"ref":"main","sha":"[0-9a-f]{40}"\}/);
  expect(output).toMatch(/tfa approve deploy-main --request-id \S+ --by <you>/);
  const notice =
    /\[tfa\] run deploy-main is waiting for approval of deploy_to_production .*: tfa approve deploy-main --request-id \S+ --by <you>/;
  await eventually(
    () => notice.test(output),
    60_000,
    () => output,
  );
  await temporal(`workflow signal --workflow-id deploy-main --name approve --input '{"by":"you"}'`);
  const result = JSON.parse(await temporal('workflow result --workflow-id deploy-main --output json'));
  expect(result.result).toMatchObject({ status: 'completed' });
  await eventually(
    () => output.includes('[tfa] run deploy-main finished: completed'),
    60_000,
    () => output,
  );
  // Humans in the loop, "Follow a run live": a finished run's watch prints its thread and ends with it.
  const watched = (await sh('npx tfa watch deploy-main')).trimEnd().split('\n');
  expect(watched).toContainEqual(expect.stringMatching(/<approval_requested tool='deploy_to_production'\/>$/));
  expect(watched.at(-1)).toBe('run deploy-main ended: completed');

  // The pipeline: a commit production does not run yet, answered with the printed id.
  const id = (await sh('npx tfa deploy HEAD~1')).trim();
  expect(id).toMatch(/^deploy-HEAD-1-/);
  await eventually(
    async () => (await sh(`npx tfa status "${id}"`)).includes('waiting for approval of deploy_to_production'),
    90_000,
  );
  expect(await sh(`npx tfa approve "${id}" --by you`)).toMatch(/^approved \S+ in \S+-deploy/);
  const pipeline = JSON.parse(await temporal(`workflow result --workflow-id ${id} --output json`));
  expect(pipeline.result).toMatchObject({ outcome: 'deployed', productionSha: await fixture.sha('HEAD~1') });
}, 240_000);
