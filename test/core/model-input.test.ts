import { countTokensO200k } from '../../core/tokens';
import fc from 'fast-check';
import { findAgent } from '../../agents';
import { renderContext } from '../../core/context';
import { eventsBeforeStep, renderModelInput } from '../../core/model-input';
import { renderPrompt } from '../../core/prompt';
import { replay } from '../../core/reducer';
import type { ThreadEvent } from '../../core/thread';
import { anyNewEvent, eventFactory } from './support/events';

const deploybot = findAgent('deploybot')!;

function threadOf(events: Parameters<ReturnType<typeof eventFactory>>[0][]): ThreadEvent[] {
  const stamp = eventFactory();
  return [stamp({ type: 'run_started', agent: 'deploybot', maxSteps: 20 }), ...events.map(stamp)];
}

test('the model input of a prefix is the agent prompt and the budgeted context of that prefix, nothing else', () => {
  fc.assert(
    fc.property(fc.array(anyNewEvent, { maxLength: 30 }), fc.nat(), (raw, cut) => {
      const events = threadOf(raw);
      const prefix = events.slice(0, cut % (events.length + 1));
      const input = renderModelInput(deploybot, prefix);
      expect(input.context).toBe(
        renderContext(replay(prefix), prefix, { tokenBudget: 3000, countTokens: countTokensO200k }),
      );
      expect(input.instructions).toBe(
        renderPrompt(deploybot.prompt, {
          agent: 'deploybot',
          tools: deploybot.tools.map((tool) => tool.name).join(', '),
        }),
      );
      expect(renderModelInput(deploybot, [...prefix])).toEqual(input); // a pure function of the events
    }),
    { numRuns: 50 },
  );
});

test('eventsBeforeStep finds the events each model decision followed, counting failed decisions as steps', () => {
  const events = threadOf([
    { type: 'user_message', text: 'deploy main' },
    { type: 'tool_call', callId: 'c1', tool: 'deploy_to_staging', kind: 'immediate', args: { ref: 'main' } },
    { type: 'tool_result', callId: 'c1', tool: 'deploy_to_staging', output: '{}', truncated: false },
    { type: 'error', source: 'model', errorType: 'ModelOutputError', code: 'no_tool_call', message: 'no tool call' },
    { type: 'error', source: 'tool', errorType: 'ToolExecutionError', message: 'boom' },
    { type: 'tool_call', callId: 'c2', tool: 'done_for_now', kind: 'terminal', args: { message: 'ok' } },
  ]);
  expect([1, 2, 3].map((step) => eventsBeforeStep(events, step))).toEqual([2, 4, 6]);
  expect(replay(events).step).toBe(3);
  expect(eventsBeforeStep(events, 4)).toBeUndefined();
});
