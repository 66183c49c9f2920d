import {
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleSummary,
} from '@temporalio/client';
import { findAgent } from '../agents';
import { AGENT_WORKFLOW_TYPE } from '../core/constants';
import type { AgentWorkflowInput } from '../core/run';
import { describeError } from './describe-error';

/** A recurring run: every time `cron` fires, `agent` gets `message`. */
export interface ScheduleRequest {
  name: string;
  cron: string;
  agent: string;
  message: string;
  /** IANA zone the cron is read in; default UTC. */
  timezone?: string;
  requestedBy?: string;
}

export interface ScheduleListing {
  name: string;
  /** As given at creation (the server keeps only its calendar form). */
  cron?: string;
  agent?: string;
  paused: boolean;
  nextRunAt?: Date;
  recentWorkflowIds: string[];
}

const SCHEDULE_NAME = /^[\w.-]{1,100}$/;

/** What tfa stores in a schedule's memo, so `list` can show what was asked for. */
interface ScheduleMemo {
  cron: string;
  agent: string;
}

function checkRequest(request: ScheduleRequest): void {
  if (!SCHEDULE_NAME.test(request.name))
    throw new Error(`schedule name "${request.name}" is not allowed: use 1-100 letters, digits, _ . -`);
  if (!findAgent(request.agent))
    throw new Error(`no agent named "${request.agent}": use one defined in agents/index.ts`);
  if (!request.message.trim()) throw new Error('a schedule needs a --message for the agent');
}

function explainCreateError(request: ScheduleRequest, error: unknown): Error {
  if (error instanceof ScheduleAlreadyRunning)
    return new Error(
      `a schedule named "${request.name}" already exists: delete it first (tfa schedule delete ${request.name}) or pick another name`,
    );
  const text = describeError(error);
  // The SDK compiles cron strings itself and throws a TypeError for a bad one.
  if (error instanceof TypeError || /cron/i.test(text)) {
    return new Error(
      `invalid cron "${request.cron}" (${text}): use five fields, minute hour day-of-month month day-of-week, e.g. "0 9 * * *"`,
    );
  }
  return error instanceof Error ? error : new Error(text);
}

function notFound<T>(name: string) {
  return (error: unknown): T => {
    if (error instanceof ScheduleNotFoundError) throw new Error(`no schedule named "${name}": see tfa schedule list`);
    throw error;
  };
}

function toListing(summary: ScheduleSummary): ScheduleListing {
  const memo = (summary.memo ?? {}) as Partial<ScheduleMemo>;
  return {
    name: summary.scheduleId,
    cron: memo.cron,
    agent: memo.agent,
    paused: summary.state.paused,
    nextRunAt: summary.info.nextActionTimes[0],
    recentWorkflowIds: summary.info.recentActions.map((action) => action.action.workflow.workflowId),
  };
}

/** Temporal Schedules that start `agentWorkflow` (F11); the schedule id is the name. */
export function createSchedules(client: Client, taskQueue: string) {
  return {
    async create(request: ScheduleRequest): Promise<string> {
      checkRequest(request);
      const input: AgentWorkflowInput = {
        agent: request.agent,
        message: request.message,
        requestedBy: request.requestedBy ?? `schedule:${request.name}`,
      };
      const memo: ScheduleMemo = { cron: request.cron, agent: request.agent };
      try {
        await client.schedule.create({
          scheduleId: request.name,
          spec: { cronExpressions: [request.cron], timezone: request.timezone },
          // Temporal appends the fire time to this id, so each run has its own.
          action: {
            type: 'startWorkflow',
            workflowType: AGENT_WORKFLOW_TYPE,
            workflowId: `scheduled-${request.name}`,
            taskQueue,
            args: [input],
          },
          policies: { overlap: ScheduleOverlapPolicy.SKIP },
          memo: memo as unknown as Record<string, unknown>,
        });
      } catch (error) {
        throw explainCreateError(request, error);
      }
      return request.name;
    },
    async list(): Promise<ScheduleListing[]> {
      const listings: ScheduleListing[] = [];
      for await (const summary of client.schedule.list()) listings.push(toListing(summary));
      return listings;
    },
    delete: (name: string): Promise<void> => client.schedule.getHandle(name).delete().catch(notFound<void>(name)),
    /** Starts a run now, even if the previous one is still waiting (a person asked for it). */
    trigger: (name: string): Promise<void> =>
      client.schedule.getHandle(name).trigger(ScheduleOverlapPolicy.ALLOW_ALL).catch(notFound<void>(name)),
  };
}
export type Schedules = ReturnType<typeof createSchedules>;
