import { planModelInput } from '../../activities/plan-model-input';
import { findAgent } from '../../agents';
import { modelInputEdits } from '../../core/model-input';
import type { ThreadEvent } from '../../core/thread';
import { countTokensO200k } from '../../core/tokens';

test('counts the o200k tokens of each text the workflow asks for, in its order, as a bare list', async () => {
  const texts = ["  <tool_call tool='list_releases'>{environment: staging}</tool_call>\n", 'hello world', ''];
  expect(await planModelInput({ texts })).toEqual(texts.map(countTokensO200k));
});

test('still answers how many budget edits fit for a thread prefix, as runs before model-input-counted-v1 ask', async () => {
  const events = [
    { id: 's', at: '2026-01-01T00:00:00.000Z', type: 'run_started', agent: 'deploybot', maxSteps: 5 },
    { id: 'u', at: '2026-01-01T00:00:00.000Z', type: 'user_message', text: 'list staging' },
  ] as ThreadEvent[];
  expect(await planModelInput({ agent: 'deploybot', events })).toEqual({
    edits: modelInputEdits(findAgent('deploybot')!, events),
  });
});
