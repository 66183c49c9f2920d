import type { WorkflowHandle } from '@temporalio/client';
import { AGENT_WORKFLOW_TYPE, DEPLOY_WORKFLOW_TYPE } from '../../core/constants';
import { approveSignal, pauseSignal, rejectSignal, replySignal, resumeSignal } from '../../workflows/messages';
import type { PolicyFile } from '../../core/policy';
import { callTool, type ScriptedReply } from '../../scripts/scripted-model/server';
import { statementFor } from '../../core/decisions';
import { testsPassThenDeploy, waitForChildApproval } from '../support/deploy-pipeline';
import { alice, trustPolicy } from '../support/identities';
import { startHarness, waitForState } from '../support/workflow-harness';
import { signalApproveInUnknownEncoding, temporal } from '../support/temporal-command';

/** Runs whose histories are saved under histories/ and must keep replaying (Worker.runReplayHistories). */
export interface ReplayScenario {
  name: string;
  /** The model's replies; a function when they need the fixture's `main` SHA. */
  script: ScriptedReply[] | ((mainSha: string) => ScriptedReply[]);
  policy?: Partial<PolicyFile>;
  /** Default: a DeployBot agentWorkflow asked to deploy main to production. */
  start?: { workflowType: string; args: unknown[] };
  drive(handle: WorkflowHandle): Promise<void>;
}

export const replayScenarios: ReplayScenario[] = [
  {
    name: 'deploybot-approved',
    script: [
      callTool('deploy_to_staging', { ref: 'main' }),
      callTool('run_tests', { environment: 'staging' }),
      callTool('deploy_to_production', { ref: 'main' }),
      callTool('done_for_now', { message: 'main is live' }),
    ],
    async drive(handle) {
      await waitForState(handle, (state) => state.status === 'awaiting_approval');
      await handle.signal(approveSignal, { by: 'alice', comment: 'ship it' });
    },
  },
  {
    name: 'deploybot-rejected-errors-escalated',
    script: [
      callTool('deploy_to_production', { ref: 'main' }),
      callTool('no_such_tool', {}),
      callTool('run_tests', { environment: 'moon' }),
      callTool('deploy_to_staging', '{not json'),
      callTool('done_for_now', { message: 'stopped after rejection' }),
    ],
    async drive(handle) {
      await waitForState(handle, (state) => state.status === 'awaiting_approval');
      await handle.signal(approveSignal, { by: '' }); // malformed: recorded, changes nothing
      await handle.signal(rejectSignal, { by: 'bob', reason: 'production is frozen' });
      const { pending } = await waitForState(handle, (state) => state.status === 'needs_human');
      await handle.signal(replySignal, { requestId: pending!.requestId, by: 'bob', text: 'just stop' });
    },
  },
  {
    name: 'deploybot-approval-timed-out',
    script: [callTool('deploy_to_production', { ref: 'main' })],
    policy: {
      defaultApprovers: 'anyone',
      agents: { deploybot: { requestTimeoutMs: 500, escalationTimeoutMs: 500, escalateTo: 'oncall' } },
    },
    async drive() {},
  },
  {
    name: 'deploy-pipeline-approved',
    start: { workflowType: DEPLOY_WORKFLOW_TYPE, args: [{ ref: 'main', requestedBy: 'alice' }] },
    script: testsPassThenDeploy,
    async drive(handle) {
      await waitForChildApproval(handle.client, handle.workflowId);
      await handle.signal(approveSignal, { by: 'alice' });
    },
  },
  {
    name: 'deploybot-signed-approval',
    policy: trustPolicy(),
    script: [callTool('deploy_to_production', { ref: 'main' }), callTool('done_for_now', { message: 'main is live' })],
    async drive(handle) {
      const { pending } = await waitForState(handle, (state) => state.status === 'awaiting_approval');
      await handle.signal(approveSignal, { requestId: pending!.requestId, by: 'alice' }); // unsigned: refused
      const decision = { action: 'approve' as const, requestId: pending!.requestId, by: 'alice', comment: 'signed' };
      const { via: _via, ...statement } = statementFor(handle.workflowId, pending!, decision, 'signature');
      await handle.signal(approveSignal, {
        requestId: pending!.requestId,
        by: 'alice',
        comment: 'signed',
        signature: alice.sign(statement),
      });
    },
  },
  {
    name: 'deploy-pipeline-tests-unrecorded',
    start: { workflowType: DEPLOY_WORKFLOW_TYPE, args: [{ ref: 'main', requestedBy: 'alice' }] },
    script: [
      callTool('report_test_results', { passed: true, summary: 'all good (nothing was run)' }),
      callTool('send_notification', {
        severity: 'warning',
        title: 'tests inconclusive',
        message: 'tests of main were inconclusive',
      }),
      callTool('finish_notifying', { message: 'sent' }),
    ],
    async drive() {},
  },
  {
    name: 'deploybot-undecodable-and-folded-refusals',
    script: [callTool('deploy_to_production', { ref: 'main' }), callTool('done_for_now', { message: 'main is live' })],
    async drive(handle) {
      await waitForState(handle, (state) => state.status === 'awaiting_approval');
      await signalApproveInUnknownEncoding(handle.workflowId);
      for (let i = 0; i < 3; i += 1) await handle.signal(approveSignal, { by: 42 } as never);
      await handle.signal(approveSignal, { by: 'alice' });
    },
  },
  {
    name: 'deploybot-pause-requested',
    script: [callTool('deploy_to_production', { ref: 'main' }), callTool('done_for_now', { message: 'main is live' })],
    async drive(handle) {
      await waitForState(handle, (state) => state.status === 'awaiting_approval');
      await handle.signal(pauseSignal, { by: 'gina', reason: 'read the release notes first' });
      await handle.signal(pauseSignal, { by: 'gina', reason: 'again' }); // refused: one is requested already
      await handle.signal(approveSignal, { by: 'alice' });
      await waitForState(handle, (state) => state.status === 'paused');
      await handle.signal(resumeSignal, { by: 'gina', feedback: 'notes are fine' });
    },
  },
  {
    name: 'deploybot-pause-withdrawn',
    script: [callTool('deploy_to_production', { ref: 'main' }), callTool('done_for_now', { message: 'main is live' })],
    async drive(handle) {
      await waitForState(handle, (state) => state.status === 'awaiting_approval');
      await handle.signal(pauseSignal, { by: 'gina' });
      await handle.signal(resumeSignal, { by: 'gina' }); // before the pause took effect: withdrawn
      await handle.signal(approveSignal, { by: 'alice' });
    },
  },
  {
    name: 'deploybot-read-only-then-approved',
    script: [
      callTool('list_releases', { environment: 'production' }),
      callTool('deploy_to_production', { ref: 'main' }),
      callTool('done_for_now', { message: 'main is live' }),
    ],
    async drive(handle) {
      await waitForState(handle, (state) => state.status === 'awaiting_approval');
      await handle.signal(approveSignal, { by: 'alice' });
    },
  },
  {
    // Read-only steps chained in one model activity, one of them an invalid answer recorded from the chain.
    name: 'deploybot-chained-read-only-steps',
    script: [
      callTool('list_releases', { environment: 'staging' }),
      callTool('list_releases', { environment: 'production' }),
      { text: 'Both look fine.' },
      callTool('list_releases', { environment: 'staging' }),
      callTool('done_for_now', { message: 'listed' }),
    ],
    async drive() {},
  },
  {
    // Steps that act, each next step decided in the tool's own activity; the last one after a read-only chain.
    name: 'deploybot-acting-steps-decided-after-tools',
    script: [
      callTool('deploy_to_staging', { ref: 'main' }),
      callTool('run_tests', { environment: 'staging' }),
      callTool('list_releases', { environment: 'staging' }),
      callTool('done_for_now', { message: 'main is on staging, tested' }),
    ],
    async drive() {},
  },
  {
    // The continued run (the history saved is the latest run's): it resumes the wait, then deploys.
    name: 'deploybot-continued-while-waiting',
    script: [callTool('deploy_to_production', { ref: 'main' }), callTool('done_for_now', { message: 'main is live' })],
    start: {
      workflowType: AGENT_WORKFLOW_TYPE,
      args: [{ agent: 'deploybot', message: 'deploy main to production', continueAsNewAtHistoryBytes: 150_000 }],
    },
    async drive(handle) {
      const waiting = await waitForState(handle, (state) => state.status === 'awaiting_approval');
      const { runId: firstRunId } = await handle.describe();
      for (let sent = 0; sent < 45 && (await handle.describe()).runId === firstRunId; sent++) {
        await handle.signal(approveSignal, { by: 'x'.repeat(40_000) }); // refused: over the limit of `by`
      }
      await waitForState(handle, (state) => state.status === 'awaiting_approval');
      await handle.signal(approveSignal, { by: 'alice', requestId: waiting.pending!.requestId });
    },
  },
];

/** Runs a scenario on the test server and returns its history as JSON text. */
export async function recordScenario(scenario: ReplayScenario): Promise<string> {
  const harness = await startHarness({ policy: scenario.policy });
  try {
    const script =
      typeof scenario.script === 'function' ? scenario.script(await harness.fixture.sha('main')) : scenario.script;
    harness.model.enqueue(...script);
    const start = scenario.start ?? {
      workflowType: AGENT_WORKFLOW_TYPE,
      args: [{ agent: 'deploybot', message: 'deploy main to production' }],
    };
    const handle = await harness.client.workflow.start(start.workflowType, {
      taskQueue: harness.taskQueue,
      workflowId: `replay-${scenario.name}`,
      args: start.args,
    });
    await scenario.drive(handle);
    await handle.result();
    // The same JSON the Web UI's download and `temporal workflow show --output json` give.
    return await temporal('workflow', 'show', '--workflow-id', handle.workflowId, '--output', 'json');
  } finally {
    await harness.close();
  }
}
