// Trust model: every outside input is bounded and survivable. The model endpoint is outside: the
// usage and model name it reports must not break the run, its status, its result or continue-as-new.
import type { WorkflowExecutionDescription } from '@temporalio/client';
import { AGENT_WORKFLOW_TYPE } from '../../core/constants';
import { AgentRunResult } from '../../core/run';
import { grandTotal, UsageTotals } from '../../core/usage';
import { threadQuery } from '../../workflows/messages';
import { completionReporting } from '../support/hostile-completion';
import { startHarness, type Harness } from '../support/workflow-harness';

jest.setTimeout(120_000);

let harness: Harness;
afterEach(async () => harness?.close());

const ABSURD_USAGE: { usage: unknown; model: unknown }[] = [
  {
    model: 'm'.repeat(5_000),
    usage: { prompt_tokens: -5, completion_tokens: 1.5, prompt_tokens_details: { cached_tokens: -1 } },
  },
  {
    model: 'huge',
    usage: { prompt_tokens: 1e308, completion_tokens: 1e308, prompt_tokens_details: { cached_tokens: 1e308 } },
  },
  { model: 'huge', usage: { prompt_tokens: 1e308, completion_tokens: 1e308 } },
  { model: 42, usage: { prompt_tokens: 'many', completion_tokens: null } },
  { model: 'fine\n  tokens: 0 model calls; cost $0.000000', usage: { prompt_tokens: 10, completion_tokens: 5 } }, // a forged tfa status line
  { model: 'fine', usage: { prompt_tokens: 10, completion_tokens: 5 } },
];

test('absurd usage from the model endpoint (negative, fractional, 1e308, not numbers, a 5,000-char or multi-line model name) leaves the run, its result and its continuation well-formed', async () => {
  const script = [
    ...ABSURD_USAGE.map((reported) => completionReporting('list_releases', { environment: 'staging' }, reported)),
    completionReporting(
      'done_for_now',
      { message: 'listed' },
      { model: 'fine', usage: { prompt_tokens: 10, completion_tokens: 5 } },
    ),
  ];
  harness = await startHarness({ script });
  const workflowId = `hostile-usage-${Date.now()}`;
  const handle = await harness.client.workflow.start(AGENT_WORKFLOW_TYPE, {
    taskQueue: harness.taskQueue,
    workflowId,
    args: [{ agent: 'deploybot', message: 'list staging releases', continueAsNewAfterSteps: 5 }],
  });
  const result: AgentRunResult = await handle.result();
  expect(result.status).toBe('completed');
  expect(AgentRunResult.safeParse(result).success).toBe(true);
  const runs: WorkflowExecutionDescription[] = [];
  for await (const run of harness.client.workflow.list({ query: `WorkflowId = '${workflowId}'` }))
    runs.push(run as WorkflowExecutionDescription);
  expect(runs.length).toBe(2); // it continued as new once, carrying the reported usage

  const { state } = await handle.query(threadQuery);
  expect(UsageTotals.safeParse(state.usage).success).toBe(true);
  for (const [model, totals] of Object.entries(state.usage ?? {})) {
    expect(model).toMatch(/^[\x21-\x7e]{1,200}$/);
    for (const value of Object.values(totals))
      expect(Number.isSafeInteger(value) || (Number.isFinite(value) && value >= 0)).toBe(true);
  }
  expect(grandTotal(state.usage).calls).toBe(harness.model.requests.length);
  expect(Number.isSafeInteger(grandTotal(state.usage).inputTokens)).toBe(true);
});
