import {
  fitToBudget,
  planEdits,
  protectedItems,
  RECENT_ITEMS_KEPT,
  supersededResults,
  type BudgetLayout,
  type ItemMode,
} from '../../core/budget';
import type { ContextItem } from '../../core/compact-errors';
import { renderContext } from '../../core/context';
import { replay } from '../../core/reducer';
import { countTokensO200k } from '../../core/tokens';
import type { NewEvent, ThreadEvent } from '../../core/thread';
import { eventFactory, toolCall, toolResult } from './support/events';

function items(...events: NewEvent[]): ContextItem[] {
  const stamp = eventFactory();
  return events.map((event) => ({ event: stamp(event), count: 1 }));
}

const user: NewEvent = { type: 'user_message', text: 'deploy main' };

describe('protectedItems', () => {
  it('keeps the task, the recent items, the pending request and its call, the latest rejection and the latest reply', () => {
    const list = items(
      user,
      { type: 'approval_rejected', requestId: 'r0', by: 'bob', reason: 'old' },
      { type: 'approval_rejected', requestId: 'r1', by: 'bob', reason: 'latest' },
      toolCall('cq', 'request_human_input', { question: 'which?' }),
      { type: 'human_input_requested', requestId: 'q1', callId: 'cq', question: 'which?' },
      { type: 'human_reply', requestId: 'q1', by: 'ann', text: 'main' },
      ...Array.from({ length: 10 }, (_, index) => toolCall(`c${index}`, 'run_tests')),
    );
    const keep = protectedItems(list, 'q1');
    const recent = Array.from({ length: RECENT_ITEMS_KEPT }, (_, index) => list.length - RECENT_ITEMS_KEPT + index);
    expect([...keep].sort((a, b) => a - b)).toEqual([0, 2, 3, 4, 5, ...recent]);
  });
});

describe('supersededResults', () => {
  it('marks results with a later result of the same tool and arguments, not of other arguments', () => {
    const list = items(
      toolCall('a', 'run_tests', { environment: 'staging' }),
      toolResult('a', 'run_tests'),
      toolCall('b', 'run_tests', { environment: 'production' }),
      toolResult('b', 'run_tests'),
      toolCall('c', 'run_tests', { environment: 'staging' }),
      toolResult('c', 'run_tests'),
    );
    expect([...supersededResults(list)]).toEqual([1]);
  });
});

describe('planEdits', () => {
  it('cuts stale results, then older results, then older call arguments, then drops older items, then cuts kept ones, the task and the last item last', () => {
    const list = items(
      user,
      toolCall('a', 'run_tests'),
      toolResult('a', 'run_tests'),
      toolCall('b', 'list_releases'),
      toolResult('b', 'list_releases'),
      toolCall('c', 'run_tests'),
      toolResult('c', 'run_tests'),
    );
    const keep = new Set([0, 5, 6]);
    const edits = planEdits(list, keep, () => true).map(({ index, mode }) => `${mode}:${index}`);
    expect(edits).toEqual([
      'elided:2',
      'elided:4',
      'elided:1',
      'elided:3',
      'dropped:1',
      'dropped:2',
      'dropped:3',
      'dropped:4',
      'elided:5',
      'elided:0',
      'elided:6',
    ]);
  });

  it('does not cut bodies too short to gain from it', () => {
    const list = items(user, toolCall('a', 'run_tests'), toolResult('a', 'run_tests'));
    expect(planEdits(list, new Set([0]), () => false)).toEqual([
      { index: 1, mode: 'dropped' },
      { index: 2, mode: 'dropped' },
    ]);
  });
});

describe('fitToBudget', () => {
  const layout: BudgetLayout = {
    frame: '[]',
    note: '~\n',
    line: (index, mode) => (mode === 'full' ? `${'x'.repeat(10)}${index}\n` : `e${index}\n`),
    assemble: (modes: readonly ItemMode[]) =>
      `[${modes.map((mode, index) => (mode === 'dropped' ? '~' : layout.line(index, mode))).join('')}]`,
  };
  const full: ItemMode[] = ['full', 'full', 'full'];

  it('applies no edit when the text fits', () => {
    expect(fitToBudget(layout, full, [{ index: 0, mode: 'dropped' }], 1_000, (text) => text.length)).toBe(
      layout.assemble(full),
    );
  });

  it('applies edits in order, only as many as needed', () => {
    const edits = [0, 1, 2].map((index) => ({ index, mode: 'elided' as const }));
    expect(fitToBudget(layout, full, edits, 28, (text) => text.length)).toBe('[e0\ne1\nxxxxxxxxxx2\n]');
  });

  it('still meets the budget when the whole text counts more than its lines', () => {
    const superAdditive = (text: string) => text.length + (text.match(/\n/g)?.length ?? 0) ** 2;
    const edits = [0, 1, 2].map((index) => ({ index, mode: 'elided' as const }));
    const text = fitToBudget(layout, full, edits, 30, superAdditive);
    expect(superAdditive(text)).toBeLessThanOrEqual(30);
  });
});

describe('renderContext within a budget', () => {
  const stamp = eventFactory();
  const log = (passed: boolean) =>
    JSON.stringify({ environment: 'staging', passed, output: 'PASS test/a.test.ts\n'.repeat(60) });
  function longThread(): ThreadEvent[] {
    const events: NewEvent[] = [
      { type: 'run_started', agent: 'deploybot', maxSteps: 30 },
      { type: 'user_message', text: 'deploy main', by: 'alice' },
    ];
    for (let index = 0; index < 8; index++) {
      events.push(
        toolCall(`c${index}`, 'list_releases', { environment: `env-${index}` }),
        toolResult(`c${index}`, 'list_releases', log(index % 2 === 0)),
      );
    }
    events.push(toolCall('t', 'run_tests', { environment: 'staging' }), toolResult('t', 'run_tests', log(false)));
    return events.map(stamp);
  }

  it('renders everything when no budget is given', () => {
    const events = longThread();
    expect(renderContext(replay(events), events)).not.toContain('elided');
  });

  it('cuts an older tool result to its head and says how much was left out', () => {
    const events = longThread();
    const context = renderContext(replay(events), events, { tokenBudget: 3_000, countTokens: countTokensO200k });
    expect(context).toMatch(
      /<tool_result tool='list_releases' elided='\d+ chars'>\{environment: staging, passed: true, output: "PASS test\/a\.test\.ts\\nPASS/,
    );
    expect(countTokensO200k(context)).toBeLessThanOrEqual(3_000);
  });

  it("drops the oldest items for a tight budget, leaving one <elided events='N'/> per run of them", () => {
    const events = longThread();
    const context = renderContext(replay(events), events, { tokenBudget: 800, countTokens: countTokensO200k });
    const lines = context.split('\n');
    expect(lines[2]).toBe("  <user_message by='alice'>deploy main</user_message>");
    expect(lines[3]).toMatch(/^ {2}<elided events='\d+'\/>$/);
    expect(lines.at(-2)).toMatch(/^ {2}<tool_result tool='run_tests'/);
    expect(countTokensO200k(context)).toBeLessThanOrEqual(800);
  });

  it('counts with the given counter', () => {
    const events = longThread();
    const byWords = (text: string) => text.split(/\s+/).length;
    expect(
      byWords(renderContext(replay(events), events, { tokenBudget: 150, countTokens: byWords })),
    ).toBeLessThanOrEqual(150);
  });
});
