import {
  ActivityFailure,
  ApplicationFailure,
  ChildWorkflowFailure,
  isCancellation,
  patched,
  setCurrentDetails,
  setHandler,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import { describeIssues } from '../core/zod-issues';
import {
  childBudget,
  describePipeline,
  DeployWorkflowInput,
  judgeTestRuns,
  newDeployState,
  pipelineUsage,
  TestReport,
  type DeployState,
  type PipelineChild,
} from '../agents/pipeline';
import { RUN_INPUT_LIMITS, type AgentRunResult } from '../core/run';
import { runBudgetFor } from '../core/spend-budget';
import {
  deployRelease,
  readCurrentRelease,
  readReleasesDeployedBy,
  readTestRuns,
  RELEASE_ACTIVITY_OPTIONS,
  TEST_RUNS_ACTIVITY_OPTIONS,
} from './activities';
import { agentWorkflow } from './agent';
import { forwardHumanMessages } from './deploy-forwarding';
import { deployStatusQuery } from './messages';

/** The production check before deploying arrived after the first saved pipeline history. */
const PRODUCTION_BEFORE_PATCH = 'pipeline-production-before-v1';
/** The staging operation id names the run, so starting the same workflow id again resolves the ref again. */
const RUN_OPERATION_ID_PATCH = 'pipeline-run-operation-id-v1';
/** The tester is given the staged SHA, and production waits for recorded passing runs of it. */
const TEST_EVIDENCE_PATCH = 'pipeline-test-evidence-v1';
/** Each child names its task in the Web UI (its static summary). */
const CHILD_SUMMARY_PATCH = 'pipeline-child-summaries-v1';

/** Each of the pipeline's own activities says what it does in the Web UI. */
const ACTIVITY_SUMMARY_PATCH = 'pipeline-activity-summaries-v1';

/**
 * The outcome comes from the deploys the deployer's own tools recorded: production's current SHA alone
 * misreported a deploy that another pipeline's later deploy had superseded as `not_deployed`.
 */
const OUTCOME_FROM_LEDGER_PATCH = 'pipeline-outcome-from-ledger-v1';

const stageRelease = (input: Parameters<typeof deployRelease>[0]) =>
  patched(ACTIVITY_SUMMARY_PATCH)
    ? deployRelease.executeWithOptions(
        { ...RELEASE_ACTIVITY_OPTIONS, summary: `deploy ${input.ref} to ${input.environment}` },
        [input],
      )
    : deployRelease(input);
const readRelease = (input: Parameters<typeof readCurrentRelease>[0]) =>
  patched(ACTIVITY_SUMMARY_PATCH)
    ? readCurrentRelease.executeWithOptions(
        { ...RELEASE_ACTIVITY_OPTIONS, summary: `read the release ${input.environment} runs` },
        [input],
      )
    : readCurrentRelease(input);
const readEvidence = (input: Parameters<typeof readTestRuns>[0]) =>
  patched(ACTIVITY_SUMMARY_PATCH)
    ? readTestRuns.executeWithOptions(
        { ...TEST_RUNS_ACTIVITY_OPTIONS, summary: `read the recorded test runs of ${input.sha}` },
        [input],
      )
    : readTestRuns(input);

/** Keeps the pipeline's current details (Web UI, User Metadata) in sync with its state. */
function showProgress(state: DeployState): void {
  setCurrentDetails(describePipeline(workflowInfo().workflowId, state));
}

function parseInput(raw: unknown): DeployWorkflowInput {
  const parsed = DeployWorkflowInput.safeParse(raw);
  if (!parsed.success)
    throw ApplicationFailure.nonRetryable(
      `Invalid deployWorkflow input: ${describeIssues(parsed.error)}`,
      'ConfigurationError',
    );
  return parsed.data;
}

/** Runs one micro-agent as a child workflow named `<parent>-<suffix>`, and records it in the DAG state. */
async function runAgent(
  state: DeployState,
  agent: string,
  suffix: string,
  message: string,
  requestedBy: string,
): Promise<PipelineChild> {
  const child: PipelineChild = {
    workflowId: `${workflowInfo().workflowId}-${suffix}`,
    agent,
    stage: state.stage,
    status: 'running',
    result: null,
  };
  state.children.push(child);
  showProgress(state);
  try {
    const summary = patched(CHILD_SUMMARY_PATCH) ? { staticSummary: `${agent}: ${message}`.slice(0, 400) } : {};
    // Tasks quote model summaries and error text: cut to the run input's limit rather than fail the child at start.
    const task = message.slice(0, RUN_INPUT_LIMITS.message);
    const handle = await startChild(agentWorkflow, {
      workflowId: child.workflowId,
      args: [{ agent, message: task, requestedBy, ...childBudget(state) }],
      ...summary,
    });
    child.result = (await handle.result()) as AgentRunResult;
    child.status = child.result.status;
  } catch (error) {
    if (isCancellation(error)) throw error; // cancelling the parent cancels the child and ends the DAG
    if (!(error instanceof ChildWorkflowFailure)) throw error;
    child.status = 'failed';
    child.result = { status: 'failed', result: null, reason: error.cause?.message ?? error.message, steps: 0 };
  }
  state.usage = pipelineUsage(state);
  if (state.budget && child.result?.budgetWindow)
    state.budget.window = Math.max(state.budget.window, child.result.budgetWindow);
  showProgress(state);
  return child;
}

function finish(state: DeployState, outcome: NonNullable<DeployState['outcome']>, summary: string): DeployState {
  Object.assign(state, { stage: 'finished', outcome, summary });
  showProgress(state);
  return state;
}

async function alert(state: DeployState, input: DeployWorkflowInput, what: string): Promise<void> {
  // Whoever declined another budget window stopped the pipeline: a notifier would only ask them again.
  if (state.children.some((child) => child.status === 'budget_exhausted')) return;
  state.stage = 'notifying';
  await runAgent(
    state,
    'notifier',
    'notify',
    `Pipeline for ref ${input.ref} (requested by ${input.requestedBy}) needs attention: ${what}`,
    input.requestedBy,
  );
}

async function deployToStaging(state: DeployState, input: DeployWorkflowInput): Promise<DeployState | null> {
  try {
    const { workflowId, runId } = workflowInfo();
    const operationId = patched(RUN_OPERATION_ID_PATCH) ? `${workflowId}/${runId}/staging` : `${workflowId}/staging`;
    state.stagingSha = (await stageRelease({ environment: 'staging', ref: input.ref, operationId })).sha;
    return null;
  } catch (error) {
    if (!(error instanceof ActivityFailure)) throw error;
    await alert(state, input, `deploying to staging failed: ${error.cause?.message ?? error.message}`);
    return finish(
      state,
      'staging_failed',
      `Staging deploy of ${input.ref} failed: ${error.cause?.message ?? error.message}`,
    );
  }
}

/** The test agent's task: the SHA to test, which its tools take (older runs: the release on staging). */
function testerTask(state: DeployState, input: DeployWorkflowInput, bySha: boolean): string {
  if (!bySha) return `Test release ${state.stagingSha} (ref ${input.ref}) on staging.`;
  return `Test release ${state.stagingSha} (ref ${input.ref}): pass sha "${state.stagingSha}" to list_test_suites and run_test_suite.`;
}

/** The test agent's verdict, or the finished state when there is none or it failed. */
async function testOnStaging(state: DeployState, input: DeployWorkflowInput): Promise<DeployState | null> {
  state.stage = 'testing';
  const bySha = patched(TEST_EVIDENCE_PATCH);
  const tests = await runAgent(state, 'tester', 'tests', testerTask(state, input, bySha), input.requestedBy);
  const report = tests.status === 'completed' ? TestReport.safeParse(tests.result?.result) : null;
  if (!report?.success) {
    await alert(
      state,
      input,
      `the test agent ended ${tests.status} without a verdict: ${tests.result?.reason ?? 'no reason'}`,
    );
    return finish(
      state,
      'tests_inconclusive',
      `Tests of ${input.ref} were inconclusive (${tests.status}); nothing was deployed to production.`,
    );
  }
  state.tests = report.data;
  if (bySha) return checkEvidence(state, input, report.data);
  if (report.data.passed) return null;
  await alert(state, input, `tests failed on staging for release ${state.stagingSha}: ${report.data.summary}`);
  return finish(
    state,
    'tests_failed',
    `Tests failed for ${input.ref}; nothing was deployed to production. ${report.data.summary}`,
  );
}

/** Production only when the agent says passed AND the release store holds passing runs of the staged SHA. */
async function checkEvidence(
  state: DeployState,
  input: DeployWorkflowInput,
  report: TestReport,
): Promise<DeployState | null> {
  const sha = state.stagingSha!;
  const evidence = judgeTestRuns(sha, await readEvidence({ sha }));
  state.evidence = evidence;
  if (evidence.verdict === 'missing') {
    await alert(
      state,
      input,
      `the test agent reported passed=${report.passed} but no test run of release ${sha} is recorded`,
    );
    return finish(
      state,
      'tests_inconclusive',
      `No test run of release ${sha} (${input.ref}) is recorded; nothing was deployed to production. The test agent said: ${report.summary}`,
    );
  }
  if (evidence.verdict === 'passed' && report.passed) return null;
  const failed = evidence.runs.filter((run) => !run.passed).map((run) => run.suite);
  const recorded = failed.length > 0 ? `recorded runs failed: ${failed.join(', ')}` : 'recorded runs passed';
  await alert(state, input, `tests failed for release ${sha} (${recorded}): ${report.summary}`);
  return finish(
    state,
    'tests_failed',
    `Tests failed for ${input.ref} (${sha}; ${recorded}); nothing was deployed to production. ${report.summary}`,
  );
}

/** The deploy agent asks a human and deploys; the outcome comes from production's SHA, not the model. */
async function deployToProduction(state: DeployState, input: DeployWorkflowInput): Promise<DeployState> {
  state.stage = 'deploying';
  // What production ran before, so a release that was already live is not reported as deployed now.
  const before = patched(PRODUCTION_BEFORE_PATCH) ? await readRelease({ environment: 'production' }) : null;
  if (before !== null && before === state.stagingSha) {
    state.productionSha = before;
    return finish(
      state,
      'already_deployed',
      `Release ${state.stagingSha} of ${input.ref} already runs in production; nothing to deploy.`,
    );
  }
  const deploy = await runAgent(
    state,
    'deployer',
    'deploy',
    `Deploy release ${state.stagingSha} (ref ${input.ref}, use the SHA as the ref) to production. Staging tests passed: ${state.tests?.summary}`,
    input.requestedBy,
  );
  const deployedByDeployer = patched(OUTCOME_FROM_LEDGER_PATCH)
    ? await readReleasesDeployedBy.executeWithOptions(
        { ...RELEASE_ACTIVITY_OPTIONS, summary: `read what ${deploy.workflowId} deployed to production` },
        [{ environment: 'production', workflowId: deploy.workflowId }],
      )
    : null;
  state.productionSha = await readRelease({ environment: 'production' });
  if (deployedByDeployer?.includes(state.stagingSha!) && state.productionSha !== state.stagingSha) {
    const since = `production runs ${state.productionSha} now, deployed after it`;
    return finish(
      state,
      'deployed',
      `Release ${state.stagingSha} of ${input.ref} was deployed to production (${since}).`,
    );
  }
  if (state.productionSha === state.stagingSha)
    return finish(state, 'deployed', `Release ${state.stagingSha} of ${input.ref} is live in production.`);
  const why = (deploy.result?.result as { message?: string } | null)?.message ?? deploy.result?.reason ?? deploy.status;
  return finish(
    state,
    'not_deployed',
    `Release ${state.stagingSha} of ${input.ref} was not deployed to production: ${why}`,
  );
}

/**
 * The seed's deployment workflow as deterministic code (F10): deploy to staging, let a test agent
 * decide and run tests, then a deploy agent asks a human and deploys, or a notify agent alerts.
 */
export async function deployWorkflow(rawInput: DeployWorkflowInput): Promise<DeployState> {
  const input = parseInput(rawInput);
  const state = newDeployState(input.ref);
  const limits = runBudgetFor({}, input);
  if (limits) state.budget = { ...limits, window: 1 };
  setHandler(deployStatusQuery, () => state);
  forwardHumanMessages(state);
  showProgress(state);
  return (
    (await deployToStaging(state, input)) ?? (await testOnStaging(state, input)) ?? deployToProduction(state, input)
  );
}
