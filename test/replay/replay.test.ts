import fs from 'node:fs';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { workflowBundlePath } from '../support/test-server';
import { recordScenario, replayScenarios } from './scenarios';

const historiesDir = path.join(__dirname, 'histories');
// Current scenarios at the top; histories of older workflow versions in sub-folders, kept forever.
const saved = fs
  .readdirSync(historiesDir, { recursive: true, encoding: 'utf8' })
  .filter((file) => file.endsWith('.json'));

// TFA_RECORD_HISTORIES=1 (or =<scenario name>) npx jest test/replay  records histories after an intended change.
const recording = process.env.TFA_RECORD_HISTORIES;
if (recording) {
  const chosen = replayScenarios.filter((scenario) => recording === '1' || recording === scenario.name);
  test.each(chosen.map((scenario) => [scenario.name, scenario] as const))('records %s', async (name, scenario) => {
    const history = await recordScenario(scenario);
    fs.writeFileSync(path.join(historiesDir, `${name}.json`), `${JSON.stringify(JSON.parse(history), null, 1)}\n`);
    expect(history.length).toBeGreaterThan(1000);
  });
}

test('every scenario has a saved history', () => {
  const current = saved.filter((file) => !file.includes(path.sep));
  expect(current.sort()).toEqual(replayScenarios.map((scenario) => `${scenario.name}.json`).sort());
});

test('saved histories replay without nondeterminism on the current workflow code', async () => {
  const histories = saved.map((file) => ({
    workflowId: `replay-${path.basename(file, '.json')}`, // the id it was recorded under
    history: historyFromJSON(JSON.parse(fs.readFileSync(path.join(historiesDir, file), 'utf8'))),
  }));
  const results = [];
  for await (const result of Worker.runReplayHistories(
    { workflowBundle: { codePath: workflowBundlePath() } },
    histories,
  )) {
    results.push({
      workflowId: result.workflowId,
      error: result.error ? `${result.error.name}: ${result.error.message}` : undefined,
    });
  }
  expect(results).toEqual(histories.map(({ workflowId }) => ({ workflowId, error: undefined })));
});
