import fs from 'node:fs';
import { approvalTools } from '../agents';
import { describeIssues } from '../core/decisions';
import { coverage, PolicyFile, type PolicySource } from '../core/policy';

/** Reads the policy file; a missing file means development defaults (anyone), a bad one stops start-up. */
export function readPolicyFile(file: string): PolicySource {
  if (!fs.existsSync(file)) return { kind: 'none' };
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file} is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = PolicyFile.safeParse(raw);
  if (!parsed.success) throw new Error(`${file} is not a valid policy file: ${describeIssues(parsed.error)}`);
  return { kind: 'file', file: parsed.data };
}

/**
 * The policy a worker runs under, checked against every bundled agent: each approval tool must have
 * approvers (or the file an explicit defaultApprovers). Prints who may approve what.
 */
export function loadPolicy(file: string, write: (text: string) => void): PolicySource {
  const source = readPolicyFile(file);
  const { lines, problems } = coverage(source, approvalTools());
  if (problems.length > 0) throw new Error(`${file} leaves approvals open:\n  ${problems.join('\n  ')}`);
  const header = source.kind === 'none'
    ? `[tfa] no ${file}: ANYONE may approve any tool (decisions are recorded verified: "claimed"), and requests wait one day before escalating. Approvals:`
    : `[tfa] policy ${file}: approvals need a verified identity. Approvals:`;
  write([header, ...lines.map((line) => `  ${line}`)].join('\n'));
  return source;
}
