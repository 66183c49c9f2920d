import type { z } from 'zod';

/** One problem in a value, as zod reports it: where (a dotted path), which check and what is wrong. */
export interface Issue {
  path: string;
  code: string;
  message: string;
}

/** Every issue of a failed parse, path joined with dots (empty for the value itself). */
export function issuesOf(error: z.ZodError): Issue[] {
  return error.issues.map((issue) => ({ path: issue.path.join('.'), code: issue.code, message: issue.message }));
}

/**
 * The issues on one line, path first: `reason: a rejection needs a reason; by: ...`. An issue of the
 * value as a whole is labelled `whole`, e.g. `(body)` for a message body or `(file)` for a config file.
 */
export function describeIssues(error: z.ZodError, whole = '(body)'): string {
  return issuesOf(error)
    .map((issue) => `${issue.path || whole}: ${issue.message}`)
    .join('; ');
}
