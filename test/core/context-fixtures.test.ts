import { loadThread, THREAD_NAMES } from '../../bench/recorded-threads';
import { deploybot } from '../../agents/deploybot';
import { DEFAULT_CONTEXT_TOKEN_BUDGET, MIN_CONTEXT_TOKEN_BUDGET } from '../../core/constants';
import { renderContext } from '../../core/context';
import { replay } from '../../core/reducer';
import { countTokensO200k } from '../../core/tokens';

/** What the model activity sends: DeployBot's budget, counted with o200k_base. */
function modelContext(
  name: (typeof THREAD_NAMES)[number],
  tokenBudget = deploybot.contextTokenBudget ?? DEFAULT_CONTEXT_TOKEN_BUDGET,
): string {
  const { events } = loadThread(name);
  return renderContext(replay(events), events, { tokenBudget, countTokens: countTokensO200k });
}

describe('the context DeployBot gets for the recorded threads (bench/threads/)', () => {
  it.each(THREAD_NAMES)('%s: matches the recorded text', (name) => {
    expect(modelContext(name)).toMatchSnapshot();
  });

  it('long, within the smallest budget: older items give way to <elided events="N"/>, the kept ones stay', () => {
    expect(modelContext('long', MIN_CONTEXT_TOKEN_BUDGET)).toMatchSnapshot();
  });

  it.each(THREAD_NAMES)('%s: holds every fact the next decision needs', (name) => {
    const context = modelContext(name);
    const missing = loadThread(name).requiredFacts.filter(({ text }) => !context.includes(text));
    expect(missing).toEqual([]);
  });
});

describe('budgets in real o200k_base tokens', () => {
  const budgets = [MIN_CONTEXT_TOKEN_BUDGET, 2_500, DEFAULT_CONTEXT_TOKEN_BUDGET, 6_000];

  it.each(THREAD_NAMES)('%s: the render never exceeds its budget', (name) => {
    for (const budget of budgets) {
      expect(countTokensO200k(modelContext(name, budget))).toBeLessThanOrEqual(budget);
    }
  });

  it('counts the way o200k_base does on a known text', () => {
    expect(countTokensO200k('')).toBe(0);
    expect(countTokensO200k('hello world')).toBe(2);
  });
});
