import fs from 'node:fs';
import { z } from 'zod';
import { PriceTable } from '../core/usage';

/**
 * The price table the model activity costs calls with (TFA_PRICES_FILE, default config/prices.json).
 * A missing file leaves every cost unknown (tokens are still recorded); a malformed one stops start-up.
 */
export function loadPrices(file: string, write: (text: string) => void): PriceTable | undefined {
  if (!fs.existsSync(file)) {
    write(`[tfa] no price table at ${file}: runs record tokens, and their cost shows as "unknown price".`);
    return undefined;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(
      `${file} (TFA_PRICES_FILE) is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const parsed = PriceTable.safeParse(raw);
  if (!parsed.success)
    throw new Error(
      `${file} (TFA_PRICES_FILE) is not a price table: ${z.prettifyError(parsed.error).replaceAll('\n', ' ')}`,
    );
  return parsed.data;
}
