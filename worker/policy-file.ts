import fs from 'node:fs';
import { describeIssues } from '../core/decisions';
import { PolicyConfig } from '../core/policy';

/** Reads the approvers/timeouts file; a missing file means defaults, a bad one stops start-up. */
export function readPolicyFile(file: string): { policies: PolicyConfig; found: boolean } {
  if (!fs.existsSync(file)) return { policies: {}, found: false };
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file} is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = PolicyConfig.safeParse(raw);
  if (!parsed.success) throw new Error(`${file} is not a valid policy file: ${describeIssues(parsed.error)}`);
  return { policies: parsed.data, found: true };
}
