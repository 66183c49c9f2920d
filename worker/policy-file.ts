import fs from 'node:fs';
import { approvalTools } from '../agents';
import { coverage, parsePolicyFile, type PolicySource } from '../core/policy';

/** Reads the policy file; a missing file means development defaults (anyone), a bad one stops start-up. */
export function readPolicyFile(file: string): PolicySource {
  if (!fs.existsSync(file)) return { kind: 'none' };
  return { kind: 'file', file: parsePolicyFile(fs.readFileSync(file, 'utf8'), file) };
}

/**
 * The policy a worker runs under, checked against every bundled agent: each approval tool must have
 * approvers (or the file an explicit defaultApprovers). Prints who may approve what.
 */
export function loadPolicy(file: string, write: (text: string) => void): PolicySource {
  const source = readPolicyFile(file);
  const { lines, problems } = coverage(source, approvalTools());
  if (problems.length > 0) throw new Error(`${file} leaves approvals open:\n  ${problems.join('\n  ')}`);
  const header =
    source.kind === 'none'
      ? `[tfa] no ${file}: ANYONE may approve any tool (decisions are recorded verified: "claimed"), and requests wait one day before escalating. Approvals:`
      : `[tfa] policy ${file}: approvals need a verified identity. Approvals:`;
  write([header, ...lines.map((line) => `  ${line}`)].join('\n'));
  return source;
}
