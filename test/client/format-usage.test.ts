import { formatDeployStatus } from '../../client/format-status';
import { formatUsage } from '../../client/format-usage';
import { newDeployState, type DeployState } from '../../agents/pipeline';
import { replay } from '../../core/reducer';
import { addCall } from '../../core/usage';

describe('formatUsage', () => {
  it('shows the totals, the cost and one line a model', () => {
    const usage = addCall(
      addCall(undefined, {
        model: 'gpt-4o-mini',
        inputTokens: 12_000,
        outputTokens: 300,
        cachedInputTokens: 1_024,
        costUsd: 0.0019,
      }),
      { model: 'gpt-4o-mini', inputTokens: 1_000, outputTokens: 40, cachedInputTokens: 0, costUsd: 0.0002 },
    );
    expect(formatUsage(usage)).toEqual([
      'tokens: 2 model calls, 13,000 in (1,024 cached), 340 out; cost $0.002100',
      '  gpt-4o-mini: 2 model calls, 13,000 in (1,024 cached), 340 out; cost $0.002100',
    ]);
  });

  it('says "unknown price" for a model without a price, and counts such calls beside a priced cost', () => {
    const local = addCall(undefined, { model: 'llama3', inputTokens: 10, outputTokens: 1, cachedInputTokens: 0 });
    expect(formatUsage(local)[0]).toBe('tokens: 1 model call, 10 in (0 cached), 1 out; cost: unknown price');
    const mixed = addCall(local, {
      model: 'gpt-4o',
      inputTokens: 10,
      outputTokens: 1,
      cachedInputTokens: 0,
      costUsd: 1.5,
    });
    expect(formatUsage(mixed)[0]).toBe(
      'tokens: 2 model calls, 20 in (0 cached), 2 out; cost $1.50 + 1 call of unknown price',
    );
  });

  it('says when no call reported usage', () => {
    expect(formatUsage(undefined)).toEqual(['tokens: none reported']);
  });
});

describe('formatDeployStatus', () => {
  it("adds the running child's usage to the finished children's sum", () => {
    const finished = addCall(undefined, {
      model: 'gpt-4o-mini',
      inputTokens: 1_000,
      outputTokens: 10,
      cachedInputTokens: 0,
      costUsd: 0.5,
    });
    const running = addCall(undefined, {
      model: 'gpt-4o-mini',
      inputTokens: 500,
      outputTokens: 5,
      cachedInputTokens: 0,
      costUsd: 0.25,
    });
    const state: DeployState = { ...newDeployState('main', 'deploying'), usage: finished };
    const view = { events: [], state: { ...replay([]), agent: 'deployer', usage: running } };
    expect(formatDeployStatus('deploy-1', state, { workflowId: 'deploy-1-deploy', view })).toContain(
      'tokens (finished children and the running one): 2 model calls, 1,500 in (0 cached), 15 out; cost $0.750000',
    );
    expect(formatDeployStatus('deploy-1', state)).toContain(
      'tokens (all children): 1 model call, 1,000 in (0 cached), 10 out; cost $0.500000',
    );
  });
});
