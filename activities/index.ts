import type OpenAI from 'openai';
import { policyFor, type PolicyConfig, type RunPolicy } from '../core/policy';
import type { NotificationChannel } from './channels/channel';
import { createChooseNextTool } from './choose-next-tool';
import { createExecuteTool, type ToolExecutors } from './execute-tool';
import { createNotifyHuman } from './notify-human';

export interface ActivityDependencies {
  /** Built with `maxRetries: 0`: Temporal's retry policy is the only retry layer. */
  openai: OpenAI;
  /** TFA_MODEL; when unset the agent's own model, else DEFAULT_MODEL. */
  model?: string;
  executors: ToolExecutors;
  /** Where human notices go: console, webhook or slack. */
  channel: NotificationChannel;
  /** Approvers and timeouts per agent; an agent not listed gets the defaults (anyone, one day). */
  policies?: PolicyConfig;
}

/** Every side effect of a run, built from its dependencies. */
export function createActivities(deps: ActivityDependencies) {
  return {
    chooseNextTool: createChooseNextTool({ openai: deps.openai, model: deps.model }),
    executeTool: createExecuteTool(deps.executors),
    notifyHuman: createNotifyHuman({ channel: deps.channel }),
    /** Read at run start, so a policy change applies to new runs and the thread records the one used. */
    async loadRunPolicy(input: { agent: string }): Promise<RunPolicy> {
      return policyFor(deps.policies ?? {}, input.agent);
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;
export type { ChooseNextToolInput, ChosenToolCall } from './choose-next-tool';
export type { ExecuteToolInput, ToolOutput } from './execute-tool';
export type { NotifyHumanInput } from './notify-human';
