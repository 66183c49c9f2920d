import { asyncLocalStorage } from '@temporalio/activity';
import { noopMetricMeter, type MetricMeter } from '@temporalio/common';
import type { ModelCallUsage } from '../core/usage';

/** How a model call ended: a valid tool call, output the run rejects, or no answer from the endpoint. */
export type ModelCallOutcome = 'ok' | 'invalid_output' | 'endpoint_error';

/** The activity's meter (tagged with namespace, task queue and activity type); none outside an activity (unit tests). */
function activityMeter(): MetricMeter {
  return asyncLocalStorage.getStore()?.metricMeter ?? noopMetricMeter;
}

/**
 * Counts one model call and the tokens it used on the worker's metrics (Prometheus with
 * TFA_METRICS_PORT): tfa_model_calls{agent,model,outcome,code} and the tfa_model_*_tokens counters.
 */
export function recordModelCall(call: {
  agent: string;
  model: string;
  outcome: ModelCallOutcome;
  code?: string;
  usage?: ModelCallUsage;
}): void {
  const meter = activityMeter();
  // The model asked for, from config: the name the endpoint reports is its to choose, and labels must stay a bounded set.
  const tags = { agent: call.agent, model: call.model };
  meter
    .createCounter(
      'tfa_model_calls',
      'calls',
      'Model calls by outcome (ok, invalid_output, endpoint_error) and error code',
    )
    .add(1, { ...tags, outcome: call.outcome, code: call.code ?? '' });
  if (!call.usage) return;
  meter
    .createCounter('tfa_model_input_tokens', 'tokens', 'Prompt tokens the endpoint reported, cached ones included')
    .add(call.usage.inputTokens, tags);
  meter
    .createCounter('tfa_model_output_tokens', 'tokens', 'Completion tokens the endpoint reported')
    .add(call.usage.outputTokens, tags);
  meter
    .createCounter('tfa_model_cached_input_tokens', 'tokens', 'Prompt tokens served from the prompt cache')
    .add(call.usage.cachedInputTokens, tags);
}
