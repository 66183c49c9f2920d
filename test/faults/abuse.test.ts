import { execFileSync } from 'node:child_process';
import type { WorkflowHandle } from '@temporalio/client';
import { formatStatus } from '../../client/format-status';
import { AGENT_WORKFLOW_TYPE } from '../../core/constants';
import type { ThreadEvent } from '../../core/thread';
import { approveSignal, rejectSignal, replySignal, threadQuery } from '../../workflows/messages';
import { callTool } from '../../scripts/scripted-model/server';
import { contentText, toolResults } from '../../scripts/scripted-model/responders/rendered-context';
import { eventually, startHarness, type Harness } from '../support/workflow-harness';
import { recordFaultRow } from './fault-table';
import { waitForAll } from './run-checks';
import { scanHistories } from './secrets';

// The abuse matrix: each case of issue 11's "What was found" that reaches a run (1, 2, 6), and the
// shapes refused since the start, sent to its own DeployBot run waiting for approval on the real
// dev server. After the abuse the thread is the same except for the folded refusal, the run still
// answers, and a valid approval completes it. (3, secrets in release output, is the `env` the fault
// suite's release test command prints plus the secrets scan; 4 and 5 are the gateway's, in test/e2e/gateway-*.)

type Send = (handle: WorkflowHandle, harness: Harness) => Promise<void>;

/** Sends `count` signals, `batch` at a time. */
async function flood(count: number, batch: number, send: (index: number) => Promise<void>): Promise<void> {
  for (let start = 0; start < count; start += batch) {
    await Promise.all(Array.from({ length: Math.min(batch, count - start) }, (_, offset) => send(start + offset)));
  }
}

const HOSTILE_ID = "faults-abuse-x'; rm -rf ~; '";
const ESCAPES = '\x1b[2J\x1b]0;owned\x07\r';

const CASES: Array<{ name: string; refusals: number; send: Send; workflowId?: string }> = [
  {
    name: 'abuse 1: undecodable payload (encoding json/protobuf)',
    refusals: 1,
    send: async (handle, harness) =>
      void (await harness.client.workflowService.signalWorkflowExecution({
        namespace: 'default',
        workflowExecution: { workflowId: handle.workflowId },
        signalName: 'approve',
        input: {
          payloads: [{ metadata: { encoding: Buffer.from('json/protobuf') }, data: Buffer.from('{"by":"alice"}') }],
        },
        identity: 'fault suite',
      })),
  },
  {
    name: 'abuse 2: two approvals with a 1 MB "by"',
    refusals: 2,
    send: async (handle) => {
      const by = 'x'.repeat(1024 * 1024);
      await handle.signal(approveSignal, { by });
      await handle.signal(approveSignal, { by });
    },
  },
  {
    name: 'abuse 2: 1,000 malformed approvals (folded)',
    refusals: 1_000,
    send: (handle) => flood(1_000, 50, () => handle.signal(approveSignal, { by: 42 } as never)),
  },
  {
    name: 'abuse 6: hostile workflow id, escape sequences in "by"',
    refusals: 1,
    workflowId: `${HOSTILE_ID}-${Date.now()}`,
    send: (handle) => handle.signal(approveSignal, { requestId: 'no-such-request', by: `mallory${ESCAPES}` }),
  },
  {
    name: 'shapes refused today: wrong types, missing fields, unknown request, reply with none asked',
    refusals: 5,
    send: async (handle) => {
      await handle.signal(approveSignal, {} as never);
      await handle.signal(approveSignal, 'approve' as never);
      await handle.signal(rejectSignal, { by: 'mallory' } as never);
      await handle.signal(approveSignal, { requestId: 'no-such-request', by: 'mallory' });
      await handle.signal(replySignal, { by: 'mallory', text: 'nobody asked' });
    },
  },
];

const isRefusal = (event: ThreadEvent) => event.type === 'decision_refused';
const refusalCount = (events: ThreadEvent[]) =>
  events.filter(isRefusal).reduce((sum, event) => sum + ((event as { count?: number }).count ?? 1), 0);

/** The printed approve line run by /bin/sh with `tfa` printing its arguments: what pasting it would do. */
function runPrintedApproveLine(status: string): string[] {
  const line = status
    .split('\n')
    .map((text) => text.trim())
    .find((text) => /^(npm run )?tfa (-- )?approve /.test(text))!
    .replaceAll('<you>', 'alice');
  const stubs = 'npm() { printf "%s\\n" "$@"; }; tfa() { printf "%s\\n" "$@"; }; rm() { echo INJECTED; };';
  return execFileSync('/bin/sh', ['-c', `${stubs} ${line}`], { encoding: 'utf8' }).split('\n');
}

let harness: Harness;
afterAll(async () => harness?.close());

test('every abuse case leaves the thread unchanged but for the folded refusal; each run then completes on a valid approval', async () => {
  harness = await startHarness({
    responder: ({ messages }) => {
      const context = contentText([...messages].reverse().find((message) => message.role === 'user')?.content);
      return toolResults(context, 'deploy_to_production').length > 0
        ? callTool('done_for_now', { message: 'finished' })
        : callTool('deploy_to_production', { ref: 'main' });
    },
  });
  const prefix = `faults-abuse-${process.pid}-${Date.now()}`;
  const handles = await Promise.all(
    CASES.map((abuse, index) =>
      harness.client.workflow.start(AGENT_WORKFLOW_TYPE, {
        taskQueue: harness.taskQueue,
        workflowId: abuse.workflowId ?? `${prefix}-${index}`,
        args: [{ agent: 'deploybot', message: 'deploy main to production' }],
      }),
    ),
  );
  const stuck = await waitForAll(handles, (state) => state.status === 'awaiting_approval', 120_000);
  expect(stuck).toEqual(new Set());

  const outcome: Record<string, { refused: number; unchanged: boolean }> = {};
  await Promise.all(
    CASES.map(async (abuse, index) => {
      const handle = handles[index]!;
      const before = (await handle.query(threadQuery)).events;
      await abuse.send(handle, harness);
      const after = await eventually(async () => {
        const { events } = await handle.query(threadQuery);
        return refusalCount(events) >= abuse.refusals ? events : undefined;
      }, 120_000);
      outcome[abuse.name] = {
        refused: refusalCount(after),
        unchanged: JSON.stringify(after.filter((event) => !isRefusal(event))) === JSON.stringify(before),
      };
    }),
  );

  const hostile = handles[CASES.findIndex((abuse) => abuse.workflowId)]!;
  const status = formatStatus(hostile.workflowId, await hostile.query(threadQuery));
  expect(status).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/);
  const printed = runPrintedApproveLine(status);
  expect(printed).not.toContain('INJECTED');
  expect(printed[printed.indexOf('approve') + 1]).toBe(hostile.workflowId);

  await Promise.all(handles.map((handle) => handle.signal(approveSignal, { by: 'erin' })));
  const unfinished = await waitForAll(handles, (state) => state.status === 'completed', 120_000);
  const { leaks } = await scanHistories(
    harness.client,
    handles.map((handle) => handle.workflowId),
  );
  recordFaultRow({
    scenario: 'abuse matrix (undecodable, 1 MB fields, 1,000-signal flood, hostile id and escapes, malformed shapes)',
    runs: CASES.length,
    completed: CASES.length - unfinished.size,
    duplicates: 0,
    lost: Object.values(outcome).filter((each) => !each.unchanged).length,
    stuck: unfinished.size,
    refused: Object.values(outcome).reduce((sum, each) => sum + each.refused, 0),
    secrets: leaks.length,
  });
  expect(outcome).toEqual(
    Object.fromEntries(CASES.map((abuse) => [abuse.name, { refused: abuse.refusals, unchanged: true }])),
  );
  expect(unfinished).toEqual(new Set());
  expect(leaks).toEqual([]);
}, 300_000);
