import { ActivityFailure, ApplicationFailure, ChildWorkflowFailure, isCancellation, patched, setHandler, startChild, workflowInfo } from '@temporalio/workflow';
import { describeIssues } from '../core/decisions';
import { DeployWorkflowInput, TestReport, type DeployState, type PipelineChild } from '../core/pipeline';
import type { AgentRunResult } from '../core/run';
import { deployRelease, readCurrentRelease } from './activities';
import { agentWorkflow } from './agent';
import { forwardHumanMessages } from './deploy-forwarding';
import { deployStatusQuery } from './messages';

/** The production check before deploying arrived after the first saved pipeline history. */
const PRODUCTION_BEFORE_PATCH = 'pipeline-production-before-v1';

function parseInput(raw: unknown): DeployWorkflowInput {
  const parsed = DeployWorkflowInput.safeParse(raw);
  if (!parsed.success) throw ApplicationFailure.nonRetryable(`Invalid deployWorkflow input: ${describeIssues(parsed.error)}`, 'ConfigurationError');
  return parsed.data;
}

/** Runs one micro-agent as a child workflow named `<parent>-<suffix>`, and records it in the DAG state. */
async function runAgent(state: DeployState, agent: string, suffix: string, message: string, requestedBy: string): Promise<PipelineChild> {
  const child: PipelineChild = { workflowId: `${workflowInfo().workflowId}-${suffix}`, agent, stage: state.stage, status: 'running', result: null };
  state.children.push(child);
  try {
    const handle = await startChild(agentWorkflow, { workflowId: child.workflowId, args: [{ agent, message, requestedBy }] });
    child.result = (await handle.result()) as AgentRunResult;
    child.status = child.result.status;
  } catch (error) {
    if (isCancellation(error)) throw error; // cancelling the parent cancels the child and ends the DAG
    if (!(error instanceof ChildWorkflowFailure)) throw error;
    child.status = 'failed';
    child.result = { status: 'failed', result: null, reason: error.cause?.message ?? error.message, steps: 0 };
  }
  return child;
}

function finish(state: DeployState, outcome: NonNullable<DeployState['outcome']>, summary: string): DeployState {
  Object.assign(state, { stage: 'finished', outcome, summary });
  return state;
}

async function alert(state: DeployState, input: DeployWorkflowInput, what: string): Promise<void> {
  state.stage = 'notifying';
  await runAgent(state, 'notifier', 'notify', `Pipeline for ref ${input.ref} (requested by ${input.requestedBy}) needs attention: ${what}`, input.requestedBy);
}

async function deployToStaging(state: DeployState, input: DeployWorkflowInput): Promise<DeployState | null> {
  try {
    state.stagingSha = (await deployRelease({ environment: 'staging', ref: input.ref, operationId: `${workflowInfo().workflowId}/staging` })).sha;
    return null;
  } catch (error) {
    if (!(error instanceof ActivityFailure)) throw error;
    await alert(state, input, `deploying to staging failed: ${error.cause?.message ?? error.message}`);
    return finish(state, 'staging_failed', `Staging deploy of ${input.ref} failed: ${error.cause?.message ?? error.message}`);
  }
}

/** The test agent's verdict, or the finished state when there is none or it failed. */
async function testOnStaging(state: DeployState, input: DeployWorkflowInput): Promise<DeployState | null> {
  state.stage = 'testing';
  const tests = await runAgent(state, 'tester', 'tests', `Test release ${state.stagingSha} (ref ${input.ref}) on staging.`, input.requestedBy);
  const report = tests.status === 'completed' ? TestReport.safeParse(tests.result?.result) : null;
  if (!report?.success) {
    await alert(state, input, `the test agent ended ${tests.status} without a verdict: ${tests.result?.reason ?? 'no reason'}`);
    return finish(state, 'tests_inconclusive', `Tests of ${input.ref} were inconclusive (${tests.status}); nothing was deployed to production.`);
  }
  state.tests = report.data;
  if (report.data.passed) return null;
  await alert(state, input, `tests failed on staging for release ${state.stagingSha}: ${report.data.summary}`);
  return finish(state, 'tests_failed', `Tests failed for ${input.ref}; nothing was deployed to production. ${report.data.summary}`);
}

/** The deploy agent asks a human and deploys; the outcome comes from production's SHA, not the model. */
async function deployToProduction(state: DeployState, input: DeployWorkflowInput): Promise<DeployState> {
  state.stage = 'deploying';
  // What production ran before, so a release that was already live is not reported as deployed now.
  const before = patched(PRODUCTION_BEFORE_PATCH) ? await readCurrentRelease({ environment: 'production' }) : null;
  if (before !== null && before === state.stagingSha) {
    state.productionSha = before;
    return finish(state, 'already_deployed', `Release ${state.stagingSha} of ${input.ref} already runs in production; nothing to deploy.`);
  }
  const deploy = await runAgent(state, 'deployer', 'deploy', `Deploy release ${state.stagingSha} (ref ${input.ref}, use the SHA as the ref) to production. Staging tests passed: ${state.tests?.summary}`, input.requestedBy);
  state.productionSha = await readCurrentRelease({ environment: 'production' });
  if (state.productionSha === state.stagingSha) return finish(state, 'deployed', `Release ${state.stagingSha} of ${input.ref} is live in production.`);
  const why = (deploy.result?.result as { message?: string } | null)?.message ?? deploy.result?.reason ?? deploy.status;
  return finish(state, 'not_deployed', `Release ${state.stagingSha} of ${input.ref} was not deployed to production: ${why}`);
}

/**
 * The seed's deployment workflow as deterministic code (F10): deploy to staging, let a test agent
 * decide and run tests, then a deploy agent asks a human and deploys, or a notify agent alerts.
 */
export async function deployWorkflow(rawInput: DeployWorkflowInput): Promise<DeployState> {
  const input = parseInput(rawInput);
  const state: DeployState = { ref: input.ref, stage: 'staging', stagingSha: null, productionSha: null, tests: null, children: [], outcome: null, summary: null, forwarded: [] };
  setHandler(deployStatusQuery, () => state);
  forwardHumanMessages(state);
  return (await deployToStaging(state, input)) ?? (await testOnStaging(state, input)) ?? deployToProduction(state, input);
}
