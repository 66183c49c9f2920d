import { Client, Connection } from '@temporalio/client';
import { createSchedules, type Schedules } from '../../client/schedules';
import { runTfa } from '../support/tfa-command';
import { testServerAddress } from '../support/test-server';
import { eventually } from '../support/workflow-harness';
import { startInput } from './workflow-input';

// No worker polls this queue: a scheduled run just waits, which is all these tests look at.
const taskQueue = `no-worker-schedules-${Date.now()}`;
let connection: Connection;
let client: Client;
let schedules: Schedules;

beforeAll(async () => {
  connection = await Connection.connect({ address: testServerAddress() });
  client = new Client({ connection });
  schedules = createSchedules(client, taskQueue);
});
afterAll(async () => connection?.close());

async function eventuallyStarted(name: string): Promise<string> {
  for (let tries = 0; tries < 50; tries++) {
    const { info } = await client.schedule.getHandle(name).describe();
    const recent = info.recentActions.at(-1);
    if (recent) return recent.action.workflow.workflowId;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`schedule ${name} never started a run`);
}

test('a schedule is created, triggered now, starts agentWorkflow with its message, and is deleted', async () => {
  const name = `daily-check-${Date.now()}`;
  await schedules.create({ name, cron: '0 9 * * *', agent: 'deploybot', message: 'list the releases' });
  // Listing reads Temporal's visibility store, which catches up with a new schedule a moment later.
  const listed = await eventually(async () => (await schedules.list()).find((schedule) => schedule.name === name));
  expect(listed).toMatchObject({
    cron: '0 9 * * *',
    agent: 'deploybot',
    paused: false,
  });

  await schedules.trigger(name);
  const workflowId = await eventuallyStarted(name);
  expect(workflowId).toMatch(new RegExp(`^scheduled-${name}-`));
  const run = client.workflow.getHandle(workflowId);
  expect(await run.describe()).toMatchObject({ type: 'agentWorkflow', taskQueue });
  expect(await startInput(client, workflowId)).toEqual({
    agent: 'deploybot',
    message: 'list the releases',
    requestedBy: `schedule:${name}`,
  });
  await run.terminate('test over');

  await schedules.delete(name);
  await expect(client.schedule.getHandle(name).describe()).rejects.toThrow(/not found/i);
  await expect(schedules.delete(name)).rejects.toThrow(`no schedule named "${name}": see tfa schedule list`);
});

test('a bad cron, an unknown agent and a taken name are refused with what to do', async () => {
  await expect(
    schedules.create({ name: 'bad-cron', cron: 'every morning', agent: 'deploybot', message: 'hi' }),
  ).rejects.toThrow(/^invalid cron "every morning" .*e\.g\. "0 9 \* \* \*"/);
  await expect(
    schedules.create({ name: 'bad-agent', cron: '0 9 * * *', agent: 'nobody', message: 'hi' }),
  ).rejects.toThrow('no agent named "nobody"');
  const name = `taken-${Date.now()}`;
  await schedules.create({ name, cron: '0 9 * * *', agent: 'deploybot', message: 'hi' });
  await expect(schedules.create({ name, cron: '0 10 * * *', agent: 'deploybot', message: 'hi' })).rejects.toThrow(
    `a schedule named "${name}" already exists`,
  );
  await schedules.delete(name);
});

/** `tfa` as a user runs it, against the test server and this file's task queue. */
const tfa = (...args: string[]) => runTfa(args, { TEMPORAL_ADDRESS: testServerAddress(), TFA_TASK_QUEUE: taskQueue });

test('tfa schedule create, list, trigger and delete; bad input exits 1 with the reason', async () => {
  const name = `cli-${Date.now()}`;
  const created = await tfa(
    'schedule',
    'create',
    name,
    '--cron',
    '30 6 * * 1-5',
    '--agent',
    'deploybot',
    '--message',
    'check production',
  );
  expect(created).toMatchObject({ code: 0, stdout: `created schedule ${name}\n` });
  expect((await tfa('schedule', 'list')).stdout).toMatch(
    new RegExp(`^${name}\\t30 6 \\* \\* 1-5\\tdeploybot\\tnext `, 'm'),
  );
  expect((await tfa('schedule', 'trigger', name)).stdout).toContain(`triggered schedule ${name}`);
  await client.workflow.getHandle(await eventuallyStarted(name)).terminate('test over');
  expect((await tfa('schedule', 'delete', name)).code).toBe(0);

  const badCron = await tfa(
    'schedule',
    'create',
    'x',
    '--cron',
    '61 * * * *',
    '--agent',
    'deploybot',
    '--message',
    'hi',
  );
  expect(badCron.code).toBe(1);
  expect(badCron.stderr).toContain('tfa: invalid cron "61 * * * *"');
  const badAgent = await tfa('schedule', 'create', 'x', '--cron', '0 9 * * *', '--agent', 'nobody', '--message', 'hi');
  expect(badAgent).toMatchObject({ code: 1, stderr: expect.stringContaining('no agent named "nobody"') });
});
