import { ApplicationFailure } from '@temporalio/common';
import type { ChatCompletion } from 'openai/resources/chat/completions';
import { findAgent } from '../../agents';
import { usageOf, validateToolCall } from '../../activities/choose-next-tool';
import type { PriceTable } from '../../core/usage';

const prices: PriceTable = {
  pricesAsOf: '2025-08-15',
  currency: 'USD',
  unit: 'per 1M tokens',
  models: { 'gpt-4o': { input: 2.5, cachedInput: 1.25, output: 10 } },
};

function completion(model: string, usage?: ChatCompletion['usage']): ChatCompletion {
  return {
    id: 'c1',
    object: 'chat.completion',
    created: 0,
    model,
    choices: [
      {
        index: 0,
        finish_reason: 'stop',
        logprobs: null,
        message: { role: 'assistant', content: 'no tool', refusal: null },
      },
    ],
    ...(usage && { usage }),
  };
}

describe("the model call's usage", () => {
  it("reads prompt, completion and cached tokens as OpenAI reports them, priced by the reported snapshot's base model", () => {
    const usage = usageOf(
      completion('gpt-4o-2024-08-06', {
        prompt_tokens: 2_000,
        completion_tokens: 100,
        total_tokens: 2_100,
        prompt_tokens_details: { cached_tokens: 1_024 },
      }),
      'gpt-4o',
      prices,
    );
    expect(usage).toEqual({
      model: 'gpt-4o-2024-08-06',
      inputTokens: 2_000,
      outputTokens: 100,
      cachedInputTokens: 1_024,
      costUsd: expect.any(Number),
    });
    expect(usage!.costUsd).toBeCloseTo((976 * 2.5 + 1_024 * 1.25 + 100 * 10) / 1_000_000, 12);
  });

  it('records tokens without a cost for a model the table lacks, and nothing when the endpoint reports no usage', () => {
    expect(
      usageOf(
        completion('llama3.1', { prompt_tokens: 10, completion_tokens: 2, total_tokens: 12 }),
        'llama3.1',
        prices,
      ),
    ).toEqual({ model: 'llama3.1', inputTokens: 10, outputTokens: 2, cachedInputTokens: 0 });
    expect(usageOf(completion('gpt-4o'), 'gpt-4o', prices)).toBeUndefined();
  });

  it("carries the usage of an invalid answer in the failure's details, next to its code", () => {
    const usage = { model: 'gpt-4o', inputTokens: 10, outputTokens: 2, cachedInputTokens: 0 };
    let failure: unknown;
    try {
      validateToolCall(findAgent('deploybot')!, completion('gpt-4o'), usage);
    } catch (error) {
      failure = error;
    }
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect((failure as ApplicationFailure).details).toEqual([{ code: 'no_tool_call', usage }]);
  });
});
