import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { costOf, priceOf } from '../../core/usage';
import { loadPrices } from '../../worker/prices-file';
import { metricsEndpoint } from '../../worker/runtime';
import { parseConfig } from '../../core/config';

const shipped = path.resolve(__dirname, '../../config/prices.json');

describe('the price table', () => {
  it('ships dated prices for the common OpenAI models', () => {
    const table = loadPrices(shipped, () => undefined)!;
    expect(table.pricesAsOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    for (const model of [
      'gpt-4o',
      'gpt-4o-mini',
      'gpt-4.1',
      'gpt-4.1-mini',
      'o3',
      'o4-mini',
      'gpt-5',
      'gpt-5-mini',
      'gpt-5-nano',
    ]) {
      expect(priceOf(table, model)).toBeDefined();
    }
    // 1M input tokens and 1M output tokens of gpt-4o-mini at the listed prices
    expect(
      costOf(priceOf(table, 'gpt-4o-mini-2024-07-18')!, {
        inputTokens: 1_000_000,
        outputTokens: 1_000_000,
        cachedInputTokens: 0,
      }),
    ).toBeCloseTo(0.75, 10);
  });

  it('leaves costs unknown without a file, and stops start-up on a malformed one, naming the variable', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tfa-prices-'));
    const said: string[] = [];
    expect(loadPrices(path.join(dir, 'missing.json'), (text) => said.push(text))).toBeUndefined();
    expect(said.join('\n')).toContain('unknown price');
    const bad = path.join(dir, 'bad.json');
    fs.writeFileSync(
      bad,
      JSON.stringify({ pricesAsOf: 'last week', currency: 'USD', unit: 'per 1M tokens', models: {} }),
    );
    expect(() => loadPrices(bad, () => undefined)).toThrow(/TFA_PRICES_FILE.*pricesAsOf/s);
    fs.writeFileSync(bad, '{ not json');
    expect(() => loadPrices(bad, () => undefined)).toThrow(/TFA_PRICES_FILE\) is not valid JSON/);
    fs.rmSync(dir, { recursive: true });
  });
});

describe('the metrics endpoint', () => {
  it('is off (nothing bound) unless TFA_METRICS_PORT is set, and binds loopback by default', () => {
    expect(metricsEndpoint(parseConfig({}))).toBeUndefined();
    expect(metricsEndpoint(parseConfig({ TFA_METRICS_PORT: '9464' }))).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(metricsEndpoint(parseConfig({ TFA_METRICS_PORT: '9464', TFA_METRICS_HOST: '0.0.0.0' }))).toEqual({
      host: '0.0.0.0',
      port: 9464,
    });
    expect(() => parseConfig({ TFA_METRICS_PORT: 'ninety' })).toThrow(/TFA_METRICS_PORT/);
  });
});
