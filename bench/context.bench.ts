/**
 * Tokens the model gets per decision: a naive chat loop (bench/naive-messages.ts) against tfa's
 * rendered, budgeted context, on the recorded DeployBot threads in bench/threads/. Counts are o200k_base
 * over JSON.stringify of the `messages` array each sends (tools go in the `tools` parameter, the same
 * for both, and are not counted). Prints; asserts nothing.  Run: npm run bench:context
 */
import { deploybot } from '../agents/deploybot';
import { DEFAULT_CONTEXT_TOKEN_BUDGET, MIN_CONTEXT_TOKEN_BUDGET } from '../core/constants';
import { renderContext } from '../core/context';
import { renderPrompt } from '../core/prompt';
import { replay } from '../core/reducer';
import { countTokensO200k } from '../core/tokens';
import { naiveMessages } from './naive-messages';
import { loadThread, THREAD_NAMES, type RecordedThread } from './recorded-threads';

const budget = deploybot.contextTokenBudget ?? DEFAULT_CONTEXT_TOKEN_BUDGET;
const instructions = renderPrompt(deploybot.prompt, {
  agent: deploybot.name,
  tools: deploybot.tools.map((tool) => tool.name).join(', '),
});

const SWEEP_BUDGETS = [...new Set([4_000, DEFAULT_CONTEXT_TOKEN_BUDGET, 3_000, 2_500, MIN_CONTEXT_TOKEN_BUDGET])].sort(
  (a, b) => b - a,
);

interface Measure {
  thread: RecordedThread;
  context: string;
  baseline: number;
  ours: number;
}

/** Tokens of the `messages` array sent with our context, counted as the baseline is. */
function oursTokens(context: string): number {
  return countTokensO200k(
    JSON.stringify([
      { role: 'system', content: instructions },
      { role: 'user', content: context },
    ]),
  );
}

function render(thread: RecordedThread, tokenBudget: number): string {
  return renderContext(replay(thread.events), thread.events, { tokenBudget, countTokens: countTokensO200k });
}

function measure(thread: RecordedThread): Measure {
  const context = render(thread, budget);
  const baseline = countTokensO200k(JSON.stringify(naiveMessages(instructions, thread.events)));
  return { thread, context, baseline, ours: oursTokens(context) };
}

function missingFacts(thread: RecordedThread, context: string): number {
  return thread.requiredFacts.filter(({ text }) => !context.includes(text)).length;
}

/** Ratio and missing facts at a few budgets, so the default can be chosen from numbers. */
function sweep(measures: readonly Measure[]): string[][] {
  const header = ['thread', ...SWEEP_BUDGETS.map((each) => `budget ${each}`)];
  const rows = measures.map(({ thread, baseline }) => [
    thread.name,
    ...SWEEP_BUDGETS.map((each) => {
      const context = render(thread, each);
      const missing = missingFacts(thread, context);
      return `${(oursTokens(context) / baseline).toFixed(2)}${missing > 0 ? ` (${missing} facts missing)` : ''}`;
    }),
  ]);
  return [header, ...rows];
}

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_cell, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows
    .map((row) =>
      row
        .map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)))
        .join('  '),
    )
    .join('\n');
}

function main(): void {
  const measures = THREAD_NAMES.map((name) => measure(loadThread(name)));
  console.log(
    `DeployBot: tokens per decision (o200k_base over JSON.stringify(messages); tools excluded, the same for both)`,
  );
  console.log(`ours = system prompt + renderContext within the agent's budget (${budget} o200k_base tokens)\n`);
  const header = ['thread', 'events', 'baseline tokens', 'ours', 'ratio', 'context tokens'];
  const rows = measures.map(({ thread, context, baseline, ours }) => [
    thread.name,
    String(thread.events.length),
    String(baseline),
    String(ours),
    (ours / baseline).toFixed(2),
    String(countTokensO200k(context)),
  ]);
  console.log(table([header, ...rows]));
  console.log('\nRatio (ours / baseline) by budget; target <= 0.6 on medium and long:');
  console.log(table(sweep(measures)));
  console.log(`\nFacts the next decision needs, present in our context at budget ${budget}:`);
  for (const { thread, context } of measures) {
    for (const { fact, text } of thread.requiredFacts) {
      const shown = text.length > 60 ? `${text.slice(0, 57)}...` : text;
      console.log(`  ${context.includes(text) ? 'yes' : 'NO '}  ${thread.name}: ${fact}  (${JSON.stringify(shown)})`);
    }
  }
}

main();
