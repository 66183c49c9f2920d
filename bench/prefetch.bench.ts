/**
 * What DeployBot's context loaders save on the recorded threads (bench/threads/): the model calls a run
 * spent asking for what the loaders now fetch before step 1 (a call of a loader's tool with its
 * arguments, before the run's first call of a tool that acts, so the data could not have changed),
 * and the tokens those calls took. Then the whole run again with the loaders: those calls and their
 * results left out, a `context_loaded` event per loader after the task, every remaining decision's
 * input counted as bench/context.bench.ts counts it (o200k_base over JSON.stringify of the messages,
 * system prompt + budgeted context). A loaded event's output is the thread's own result of that call
 * when it has one, else the same tool's recorded output for other arguments, else `[]` (a stand-in).
 * Prints; asserts nothing.  Run: npx tsx bench/prefetch.bench.ts
 */
import { isDeepStrictEqual } from 'node:util';
import { deploybot } from '../agents/deploybot';
import { findTool, type ContextLoader } from '../core/agent';
import { DEFAULT_CONTEXT_TOKEN_BUDGET } from '../core/constants';
import { renderContext } from '../core/context';
import { renderPrompt } from '../core/prompt';
import { replay } from '../core/reducer';
import type { EventOf, ThreadEvent } from '../core/thread';
import { countTokensO200k } from '../core/tokens';
import { loadThread, THREAD_NAMES, type RecordedThread } from './recorded-threads';

const budget = deploybot.contextTokenBudget ?? DEFAULT_CONTEXT_TOKEN_BUDGET;
const loaders = deploybot.contextLoaders ?? [];
/** For comparison: loaders that keep only the newest releases of each list (list_releases has no limit yet). */
const NEWEST = 5;
const instructions = renderPrompt(deploybot.prompt, {
  agent: deploybot.name,
  tools: deploybot.tools.map((tool) => tool.name).join(', '),
});

/** Tokens of one decision: the messages sent (prompt + context of the events before it) and, for a call, its answer. */
function decisionTokens(before: readonly ThreadEvent[], decision: ThreadEvent): number {
  const context = renderContext(replay(before), before, { tokenBudget: budget, countTokens: countTokensO200k });
  const input = countTokensO200k(
    JSON.stringify([
      { role: 'system', content: instructions },
      { role: 'user', content: context },
    ]),
  );
  const output = decision.type === 'tool_call' ? countTokensO200k(JSON.stringify([decision.tool, decision.args])) : 0;
  return input + output;
}

const isDecision = (event: ThreadEvent) =>
  event.type === 'tool_call' || (event.type === 'error' && event.source === 'model');

function runTokens(events: readonly ThreadEvent[]): { decisions: number; tokens: number } {
  let tokens = 0;
  let decisions = 0;
  events.forEach((event, index) => {
    if (!isDecision(event)) return;
    decisions += 1;
    tokens += decisionTokens(events.slice(0, index), event);
  });
  return { decisions, tokens };
}

const matches = (loader: ContextLoader, call: EventOf<'tool_call'>) =>
  call.tool === loader.tool && isDeepStrictEqual(call.args, loader.args);

/** The calls a loader answers: its tool and arguments, before the first call of a tool that acts. */
function askedCalls(events: readonly ThreadEvent[]): EventOf<'tool_call'>[] {
  const calls = events.filter((event): event is EventOf<'tool_call'> => event.type === 'tool_call');
  const firstAction = calls.findIndex((call) => !findTool(deploybot, call.tool)?.readOnly);
  const beforeAction = firstAction < 0 ? calls : calls.slice(0, firstAction);
  return beforeAction.filter((call) => loaders.some((loader) => matches(loader, call)));
}

function recordedOutput(events: readonly ThreadEvent[], loader: ContextLoader): string {
  const results = events.filter((event): event is EventOf<'tool_result'> => event.type === 'tool_result');
  const callOf = (result: EventOf<'tool_result'>) =>
    events.find((event): event is EventOf<'tool_call'> => event.type === 'tool_call' && event.callId === result.callId);
  const own = results.find((result) => {
    const call = callOf(result);
    return call !== undefined && matches(loader, call);
  });
  return (own ?? results.find((result) => result.tool === loader.tool))?.output ?? '[]';
}

/** How the tool activity marks an output cut to MAX_TOOL_OUTPUT_CHARS (core/context.ts trimText). */
const CUT = /… \[\d+ more characters cut\]$/;

/** A list of flat objects cut to its newest `count` entries: what a loader with a limit would load. */
const newest = (count: number) => (output: string) => {
  const entries = output.match(/\{[^{}]*\}/g); // recorded outputs may be cut short mid-list
  return entries ? `[${entries.slice(0, count).join(',')}]` : output;
};

/** The thread as it would have gone with the loaders: the asked calls and their results gone, the loads after the task. */
function withLoaders(
  events: readonly ThreadEvent[],
  asked: readonly EventOf<'tool_call'>[],
  shorten: (output: string) => string = (output) => output,
): ThreadEvent[] {
  const askedIds = new Set(asked.map((call) => call.callId));
  const task = events.findIndex((event) => event.type === 'user_message');
  const loaded = loaders.map((loader, index): ThreadEvent => {
    const output = shorten(recordedOutput(events, loader));
    const at = events[task]!.at;
    const { name, tool, args } = loader;
    return {
      id: `loaded-${index}`,
      at,
      type: 'context_loaded',
      loader: name,
      tool,
      args,
      output,
      truncated: CUT.test(output),
    };
  });
  const kept = events.filter(
    (event) => !((event.type === 'tool_call' || event.type === 'tool_result') && askedIds.has(event.callId)),
  );
  const keptTask = kept.indexOf(events[task]!);
  return [...kept.slice(0, keptTask + 1), ...loaded, ...kept.slice(keptTask + 1)];
}

function row(thread: RecordedThread): string[] {
  const asked = askedCalls(thread.events);
  const savedCallTokens = asked.reduce((sum, call) => {
    const index = thread.events.indexOf(call);
    return sum + decisionTokens(thread.events.slice(0, index), call);
  }, 0);
  const without = runTokens(thread.events);
  const loaded = runTokens(withLoaders(thread.events, asked));
  const loadedShort = runTokens(withLoaders(thread.events, asked, newest(NEWEST)));
  return [
    thread.name,
    String(without.decisions),
    String(asked.length),
    String(savedCallTokens),
    String(without.tokens),
    String(loaded.decisions),
    String(loaded.tokens),
    String(without.tokens - loaded.tokens),
    String(without.tokens - loadedShort.tokens),
  ];
}

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_cell, column) => Math.max(...rows.map((each) => each[column]!.length)));
  const line = (cells: readonly string[]) =>
    cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)));
  return rows.map((cells) => line(cells).join('  ')).join('\n');
}

function main(): void {
  console.log(
    `DeployBot context loaders: ${loaders.map(({ tool, args }) => `${tool} ${JSON.stringify(args)}`).join(', ')}`,
  );
  console.log(
    `tokens: o200k_base over JSON.stringify(messages) per decision, context budget ${budget}, plus the call's answer\n`,
  );
  const header = [
    'thread',
    'decisions',
    'asked (saved steps)',
    'tokens of those calls',
    'run tokens',
    'decisions with loaders',
    'run tokens with loaders',
    'net saved',
    `net saved, newest ${NEWEST} loaded`,
  ];
  console.log(table([header, ...THREAD_NAMES.map((name) => row(loadThread(name)))]));
}

main();
