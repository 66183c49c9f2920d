import type OpenAI from 'openai';
import { createChooseNextTool } from './choose-next-tool';
import { createExecuteTool, type ToolExecutors } from './execute-tool';
import { createNotifyHuman } from './notify-human';

export interface ActivityDependencies {
  /** Built with `maxRetries: 0`: Temporal's retry policy is the only retry layer. */
  openai: OpenAI;
  /** TFA_MODEL; when unset the agent's own model, else DEFAULT_MODEL. */
  model?: string;
  executors: ToolExecutors;
  /** Where the console channel writes notifications. */
  write: (text: string) => void;
}

/** Every side effect of a run, built from its dependencies. */
export function createActivities(deps: ActivityDependencies) {
  return {
    chooseNextTool: createChooseNextTool({ openai: deps.openai, model: deps.model }),
    executeTool: createExecuteTool(deps.executors),
    notifyHuman: createNotifyHuman({ write: deps.write }),
  };
}

export type Activities = ReturnType<typeof createActivities>;
export type { ChooseNextToolInput, ChosenToolCall } from './choose-next-tool';
export type { ExecuteToolInput, ToolOutput } from './execute-tool';
export type { NotifyHumanInput } from './notify-human';
