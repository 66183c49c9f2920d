import {
  QueryNotRegisteredError,
  WorkflowExecutionAlreadyStartedError,
  WorkflowIdConflictPolicy,
  WorkflowIdReusePolicy,
  type Client,
} from '@temporalio/client';
import { AGENT_WORKFLOW_TYPE, DEPLOY_WORKFLOW_TYPE, SEARCH_ATTRIBUTE_NAMES, WAITING_STATUSES } from '../core/constants';
import { TfaError } from '../core/errors';
import {
  statementFor,
  type ApproveInput,
  type DecideInput,
  type Decision,
  type RejectInput,
  type ReplyInput,
  type PauseInput,
  type ResumeInput,
} from '../core/decisions';
import { agents, findAgent } from '../agents';
import { eventsBeforeStep, modelInputDigest, renderModelInput, type ModelInput } from '../core/model-input';
import { activeChild, type DeployState, type DeployWorkflowInput } from '../agents/pipeline';
import type { AgentWorkflowInput } from '../core/run';
import type { AgentStatus, EventOf, ThreadEvent } from '../core/thread';
import { summarizeRun, type RunSummary } from '../activities/reporter/run-summary';
import {
  decideUpdate,
  deployStatusQuery,
  pauseSignal,
  replySignal,
  resumeSignal,
  statusQuery,
  threadQuery,
  type DecideResult,
  type ThreadSnapshot,
} from '../workflows/messages';
import { describeError } from './describe-error';
import { followRun } from './follow-run';
import type { StatementSigner } from './keys';

/** Visibility query: runs whose agent status is `status`, runs waiting for a person, else every agent run. */
export function listQuery(options: { status?: AgentStatus; waiting?: boolean } = {}): string {
  if (options.waiting)
    return `${SEARCH_ATTRIBUTE_NAMES.status} IN (${WAITING_STATUSES.map((status) => `'${status}'`).join(', ')})`;
  return options.status
    ? `${SEARCH_ATTRIBUTE_NAMES.status} = '${options.status}'`
    : `WorkflowType = '${AGENT_WORKFLOW_TYPE}'`;
}

/** What `tfa status` shows: one run's thread, or a pipeline's DAG with the thread of its running child. */
export type RunStatus =
  | { kind: 'agent'; view: ThreadSnapshot }
  | { kind: 'deploy'; state: DeployState; runningChild?: { workflowId: string; view: ThreadSnapshot } };

/** A step's model input as rendered now, its digest, and the digest its tool call recorded (none for a failed decision or an older run). */
export interface ModelInputShown {
  input: ModelInput;
  digest?: string;
  recorded?: string;
}

/** A decision sent to a deploy pipeline none of whose children waits for one: refused like a decision the run refuses. */
export class NoDecisionPendingError extends TfaError {}

/** A decision taken, and by which run: a deploy pipeline's running child answers for it. */
export type DecisionTaken = DecideResult & { workflowId: string };

/** Why a thread lacks a step: not made yet, or left in the earlier run its earlier_events note names. */
function whereIsStep(events: readonly ThreadEvent[], steps: number, step: number): string {
  const earlier = events.findLast((event): event is EventOf<'earlier_events'> => event.type === 'earlier_events');
  if (step <= steps && earlier) return `it ran before this run continued as new; add --run ${earlier.runId}`;
  return `it has made ${steps} model decision(s)`;
}

/** Operations on runs shared by the CLI and the HTTP gateway: each is one Temporal call. */
export function createRuns(client: Client, taskQueue: string) {
  /**
   * A run's thread; a run that failed before it registered its handlers (an unknown agent, bad input)
   * is explained with its own failure instead of the SDK's "no handler" error.
   */
  async function readThread(workflowId: string, runId?: string): Promise<ThreadSnapshot> {
    const handle = client.workflow.getHandle(workflowId, runId);
    try {
      return await handle.query(threadQuery);
    } catch (error) {
      if (!(error instanceof QueryNotRegisteredError)) throw error;
      const { status, type } = await handle.describe();
      const failure =
        status.name === 'FAILED'
          ? await handle.result().then(
              () => '',
              (failed: unknown) => `: ${describeError(failed)}`,
            )
          : '';
      throw new Error(`${workflowId} has no thread: this ${type} run is ${status.name.toLowerCase()}${failure}`);
    }
  }

  /** The agent run that answers decisions sent to `workflowId`: itself, or a deploy pipeline's running child. */
  async function decisionTarget(workflowId: string): Promise<string> {
    const handle = client.workflow.getHandle(workflowId);
    if ((await handle.describe()).type !== DEPLOY_WORKFLOW_TYPE) return workflowId;
    const state = await handle.query(deployStatusQuery);
    const running = activeChild(state)?.workflowId;
    if (running) return running;
    throw new NoDecisionPendingError(
      `deploy pipeline ${workflowId} has no child waiting for a decision (stage: ${state.stage})`,
    );
  }

  /**
   * The decision with a signature over the request the run holds now (its id and argsDigest), when a
   * signer is given. A decision naming another request goes unsigned: the run refuses it by name.
   */
  async function signed<D extends Decision>(runId: string, decision: D, sign?: StatementSigner): Promise<D> {
    if (!sign) return decision;
    const { pending } = await client.workflow.getHandle(runId).query(statusQuery);
    if (!pending || (decision.requestId && decision.requestId !== pending.requestId)) return decision;
    const { via: _via, ...statement } = statementFor(runId, pending, decision, 'signature');
    return { ...decision, signature: sign(statement) };
  }

  const withoutAction = <D extends { action: string }>({ action: _action, ...input }: D): Omit<D, 'action'> => input;

  /** The `decide` update on the run that answers for `workflowId`, signed when a signer is given. */
  async function decide(
    workflowId: string,
    decision: Extract<Decision, { action: 'approve' | 'reject' }>,
    sign?: StatementSigner,
  ): Promise<DecisionTaken> {
    const target = await decisionTarget(workflowId);
    const taken = await signed(target, decision, sign);
    const input: DecideInput =
      taken.action === 'approve'
        ? { ...withoutAction(taken), decision: 'approve' }
        : { ...withoutAction(taken), decision: 'reject' };
    const result = await client.workflow.getHandle(target).executeUpdate(decideUpdate, { args: [input] });
    return { workflowId: target, ...result };
  }

  /** One start per workflow id: a run with that id, running or closed (within retention), makes it a duplicate. */
  async function startOnce(
    type: string,
    input: object,
    workflowId: string,
  ): Promise<{ workflowId: string; duplicate: boolean }> {
    try {
      await client.workflow.start(type, {
        taskQueue,
        workflowId,
        args: [input],
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
      });
      return { workflowId, duplicate: false };
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) return { workflowId, duplicate: true };
      throw error;
    }
  }

  return {
    /** Starts an agent run; an agent no worker knows is refused here, before anything starts. */
    async launch(input: AgentWorkflowInput, workflowId?: string): Promise<string> {
      if (!findAgent(input.agent))
        throw new Error(`no agent named "${input.agent}": use one of ${Object.keys(agents).join(', ')}`);
      const id = workflowId ?? `${input.agent}-${Date.now().toString(36)}`;
      await client.workflow.start(AGENT_WORKFLOW_TYPE, { taskQueue, workflowId: id, args: [input] });
      return id;
    },
    /**
     * Starts `deployWorkflow` exactly once per id: a second start with the same id, running or
     * closed, is refused by Temporal and reported as a duplicate (webhook redeliveries).
     */
    startDeploy: (request: DeployWorkflowInput, workflowId: string) =>
      startOnce(DEPLOY_WORKFLOW_TYPE, request, workflowId),
    /** Starts `agentWorkflow` exactly once per id, as startDeploy does (signed events). */
    launchOnce: (input: AgentWorkflowInput, workflowId: string) => startOnce(AGENT_WORKFLOW_TYPE, input, workflowId),
    /** Approve through the update, so a refused decision is answered with its reason. */
    approve: (workflowId: string, input: ApproveInput, sign?: StatementSigner) =>
      decide(workflowId, { action: 'approve', ...input }, sign),
    reject: (workflowId: string, input: RejectInput, sign?: StatementSigner) =>
      decide(workflowId, { action: 'reject', ...input }, sign),
    async reply(workflowId: string, input: ReplyInput, sign?: StatementSigner): Promise<void> {
      const target = sign ? await decisionTarget(workflowId) : workflowId;
      const { action: _action, ...body } = await signed(target, { action: 'reply', ...input }, sign);
      await client.workflow.getHandle(target).signal(replySignal, body);
    },
    /** The exact signal body (`temporal workflow signal --input`) for a decision, signed for the request pending now. */
    async signedBody(
      workflowId: string,
      decision: Decision,
      sign: StatementSigner,
    ): Promise<{ workflowId: string; body: object }> {
      const target = await decisionTarget(workflowId);
      const { action: _action, ...body } = await signed(target, decision, sign);
      return { workflowId: target, body };
    },
    pause: (workflowId: string, input: PauseInput) => client.workflow.getHandle(workflowId).signal(pauseSignal, input),
    resume: (workflowId: string, input: ResumeInput) =>
      client.workflow.getHandle(workflowId).signal(resumeSignal, input),
    /** `runId` reads one run of the workflow id (an earlier one, or one a follow is on); default its latest. */
    thread: (workflowId: string, runId?: string): Promise<ThreadSnapshot> => readThread(workflowId, runId),
    /** `tfa watch` and GET /runs/:id/events: the run's events as they land (client/follow-run.ts). */
    follow: (workflowId: string, options?: { cursor?: string; signal?: AbortSignal }) =>
      followRun(client, readThread, workflowId, options),
    /**
     * What the model was sent at `step`, or gets next: rendered from the thread by the same function as
     * the model activity, with the digest the step's tool call recorded, to check the two agree.
     */
    async modelInput(workflowId: string, step?: number, runId?: string): Promise<ModelInputShown> {
      const { events, state } = await readThread(workflowId, runId);
      const agent = findAgent(state.agent);
      if (!agent) throw new Error(`run ${workflowId} is not an agent run`);
      if (step === undefined) return { input: renderModelInput(agent, events) };
      const before = eventsBeforeStep(events, step);
      if (before === undefined)
        throw new Error(`${workflowId} has no step ${step} here: ${whereIsStep(events, state.step, step)}`);
      const input = renderModelInput(agent, events.slice(0, before));
      const decision = events[before]!;
      return {
        input,
        digest: modelInputDigest(input),
        recorded: decision.type === 'tool_call' ? decision.inputDigest : undefined,
      };
    },
    /** `runId` reads an earlier run of the same workflow id (one an earlier_events note names). */
    async status(workflowId: string, runId?: string): Promise<RunStatus> {
      const handle = client.workflow.getHandle(workflowId, runId);
      if ((await handle.describe()).type !== DEPLOY_WORKFLOW_TYPE)
        return { kind: 'agent', view: await readThread(workflowId, runId) };
      const state = await handle.query(deployStatusQuery);
      const running = activeChild(state);
      if (!running) return { kind: 'deploy', state };
      return {
        kind: 'deploy',
        state,
        runningChild: {
          workflowId: running.workflowId,
          view: await client.workflow.getHandle(running.workflowId).query(threadQuery),
        },
      };
    },
    /** Newest first, as Temporal's visibility returns them. */
    async list(options: { limit?: number; status?: AgentStatus; waiting?: boolean } = {}): Promise<RunSummary[]> {
      const runs: RunSummary[] = [];
      const limit = options.limit ?? 20;
      for await (const run of client.workflow.list({ query: listQuery(options), pageSize: limit })) {
        runs.push(summarizeRun(run));
        if (runs.length >= limit) break;
      }
      return runs;
    },
  };
}
export type Runs = ReturnType<typeof createRuns>;
