import { emptyFaultRow, formatFaultTable } from './fault-table';

test('the fault table lists the scenarios by family, then a row summing every count', () => {
  const table = formatFaultTable([
    { ...emptyFaultRow('abuse: floods'), runs: 4, completed: 4, refused: 9 },
    { ...emptyFaultRow('worker SIGKILL (3 kills)'), runs: 20, completed: 19, stuck: 1, secrets: 2 },
  ]).split('\n');
  expect(table.slice(2)).toEqual([
    '| worker SIGKILL (3 kills) | 20 | 19 | 0 | 0 | 1 | 0 | 2 |',
    '| abuse: floods | 4 | 4 | 0 | 0 | 0 | 9 | 0 |',
    '| **all scenarios** | 24 | 23 | 0 | 0 | 1 | 9 | 2 |',
  ]);
});
