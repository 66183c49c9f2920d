import { grandTotal, type ModelUsageTotals, type UsageTotals } from '../core/usage';

const count = (value: number) => value.toLocaleString('en-US');

/** Dollars with enough digits for a run's cents and fractions of a cent. */
function dollars(value: number): string {
  return `$${value >= 1 ? value.toFixed(2) : value.toFixed(6)}`;
}

function describeTokens(totals: ModelUsageTotals): string {
  const calls = `${totals.calls} model call${totals.calls === 1 ? '' : 's'}`;
  return `${calls}, ${count(totals.inputTokens)} in (${count(totals.cachedInputTokens)} cached), ${count(totals.outputTokens)} out`;
}

/** The priced part, and the calls whose model had no price when they were made. */
function describeCost(totals: ModelUsageTotals): string {
  if (totals.unpricedCalls === totals.calls) return 'cost: unknown price';
  const unknown =
    totals.unpricedCalls > 0
      ? ` + ${totals.unpricedCalls} call${totals.unpricedCalls === 1 ? '' : 's'} of unknown price`
      : '';
  return `cost ${dollars(totals.costUsd)}${unknown}`;
}

/**
 * `tfa status` lines for a run's (or a pipeline's) usage: the totals with their cost, then one line a
 * model. Costs are the worker's prices when each call was made (TFA_PRICES_FILE).
 */
export function formatUsage(usage: UsageTotals | undefined, label = 'tokens'): string[] {
  const models = Object.entries(usage ?? {});
  if (models.length === 0) return [`${label}: none reported`];
  const lines = [`${label}: ${describeTokens(grandTotal(usage))}; ${describeCost(grandTotal(usage))}`];
  for (const [model, totals] of models) lines.push(`  ${model}: ${describeTokens(totals)}; ${describeCost(totals)}`);
  return lines;
}
