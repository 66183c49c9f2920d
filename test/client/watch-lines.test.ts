import { watchLines } from '../../client/watch-lines';

test('tfa watch prints a budget request with the line that approves another window', () => {
  const lines = watchLines({
    type: 'event',
    id: '7',
    workflowId: 'budget-1',
    event: {
      id: 'e7',
      at: '2026-01-01T00:00:00.000Z',
      type: 'budget_exhausted',
      requestId: 'r1',
      window: 1,
      spent: { tokens: 2079, costUsd: 0 },
      next: { tokens: 693, costUsd: 0 },
      limits: { maxTokens: 2500 },
      argsDigest: 'sha256:x',
      reason: 'budget window 1 is used up: 2079 of 2500 tokens spent, the next call needs about 693',
    },
  });
  expect(lines).toEqual([
    "2026-01-01T00:00:00.000Z  <budget_exhausted window='1'>budget window 1 is used up: 2079 of 2500 tokens spent, the next call needs about 693</budget_exhausted>",
    '  answer: tfa approve budget-1 --request-id r1 --by <you>',
  ]);
});
