import { z } from 'zod';
import { approvalsNeeded, approverNames, type Approvers } from './policy';

/**
 * What an approval request under a quorum needs, as its `approval_requested` event records it:
 * `count` distinct approvals from the people in `of`. Absent on requests one approval decides.
 */
export const Quorum = z.object({
  of: z.array(z.string()),
  count: z.number().int().min(2),
});
export type Quorum = z.infer<typeof Quorum>;

/** The quorum a tool's approvers entry asks for, or null when one approval decides (a list, `anyone`). */
export function quorumOf(approvers: Approvers | undefined): Quorum | null {
  if (approvers === undefined) return null;
  const people = approverNames(approvers);
  const count = approvalsNeeded(approvers);
  return people === 'anyone' || count < 2 ? null : { of: people, count };
}

/** Where a quorum stands: who approved, how many more are needed, and from whom. */
export interface QuorumProgress {
  approvedBy: string[];
  /** Approvals still missing; 0 once the quorum is met. */
  stillNeeded: number;
  /** Who may still give them: the quorum's people who have not approved. */
  from: string[];
}

export function quorumProgress(quorum: Quorum, approvedBy: readonly string[]): QuorumProgress {
  const counted = quorum.of.filter((name) => approvedBy.includes(name));
  return {
    approvedBy: counted,
    stillNeeded: Math.max(0, quorum.count - counted.length),
    from: quorum.of.filter((name) => !counted.includes(name)),
  };
}

/** Who is still needed, in words: `bob and carol` when all of them must, else `1 more of bob, carol`. */
export function describeStillNeeded({ stillNeeded, from }: QuorumProgress): string {
  if (stillNeeded === 0) return 'nobody';
  if (stillNeeded === from.length)
    return from.length === 1 ? from[0]! : `${from.slice(0, -1).join(', ')} and ${from.at(-1)}`;
  return `${stillNeeded} more of ${from.join(', ')}`;
}

/** One line for status, notices and the Web UI: `approved by alice (1 of 2 needed); still needed: 1 more of bob, carol`. */
export function describeQuorum(quorum: Quorum, approvedBy: readonly string[]): string {
  const progress = quorumProgress(quorum, approvedBy);
  const approved = progress.approvedBy.length > 0 ? progress.approvedBy.join(', ') : 'nobody yet';
  return `approved by ${approved} (${progress.approvedBy.length} of ${quorum.count} needed); still needed: ${describeStillNeeded(progress)}`;
}
