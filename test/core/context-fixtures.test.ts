import fs from 'node:fs';
import path from 'node:path';
import { loadThread, THREAD_NAMES } from '../../bench/recorded-threads';
import { deploybot } from '../../agents/deploybot';
import { estimateTokens } from '../../core/budget';
import { DEFAULT_CONTEXT_TOKEN_BUDGET, MIN_CONTEXT_TOKEN_BUDGET } from '../../core/constants';
import { renderContext } from '../../core/context';
import { replay } from '../../core/reducer';
import { countTokensO200k } from '../../core/tokens';

/** What the workflow sends: DeployBot's budget, counted by the estimator. */
function workflowContext(name: (typeof THREAD_NAMES)[number], tokenBudget = deploybot.contextTokenBudget ?? DEFAULT_CONTEXT_TOKEN_BUDGET): string {
  const { events } = loadThread(name);
  return renderContext(replay(events), events, { tokenBudget, countTokens: estimateTokens });
}

describe('the context DeployBot gets for the recorded threads (bench/threads/)', () => {
  it.each(THREAD_NAMES)('%s: matches the recorded text', (name) => {
    expect(workflowContext(name)).toMatchSnapshot();
  });

  it('long, within the smallest budget: older items give way to <elided events="N"/>, the kept ones stay', () => {
    expect(workflowContext('long', MIN_CONTEXT_TOKEN_BUDGET)).toMatchSnapshot();
  });

  it.each(THREAD_NAMES)('%s: holds every fact the next decision needs', (name) => {
    const context = workflowContext(name);
    const missing = loadThread(name).requiredFacts.filter(({ text }) => !context.includes(text));
    expect(missing).toEqual([]);
  });
});

describe('estimateTokens against the real o200k_base count', () => {
  const budgets = [MIN_CONTEXT_TOKEN_BUDGET, 2_500, 3_000, DEFAULT_CONTEXT_TOKEN_BUDGET, 6_000];

  it.each(THREAD_NAMES)('%s: a render within budget B by the estimator is at most 1.1 B real tokens', (name) => {
    for (const budget of budgets) {
      expect(countTokensO200k(workflowContext(name, budget))).toBeLessThanOrEqual(budget * 1.1);
    }
  });

  it('counts the way o200k_base does on a known text', () => {
    expect(countTokensO200k('')).toBe(0);
    expect(countTokensO200k('hello world')).toBe(2);
  });
});

describe('the workflow bundle', () => {
  /** core/ files reachable from core/context.ts by relative imports. */
  function importGraph(file: string, seen = new Set<string>()): Set<string> {
    if (seen.has(file)) return seen;
    seen.add(file);
    const source = fs.readFileSync(file, 'utf8');
    for (const [, specifier] of source.matchAll(/from '([^']+)'/g)) {
      if (specifier!.startsWith('.')) importGraph(`${path.resolve(path.dirname(file), specifier!)}.ts`, seen);
      else seen.add(specifier!);
    }
    return seen;
  }

  it('never reaches the tokenizer from core/context.ts: its ranks are megabytes', () => {
    const graph = [...importGraph(path.join(__dirname, '../../core/context.ts'))];
    expect(graph).toEqual(expect.arrayContaining([path.join(__dirname, '../../core/budget.ts'), path.join(__dirname, '../../core/compact-errors.ts')]));
    expect(graph.filter((entry) => entry.includes('tiktoken') || entry.endsWith(`${path.sep}tokens.ts`))).toEqual([]);
  });
});
