import { z } from 'zod';
import { RejectInput } from '../../core/decisions';
import { describeIssues, issuesOf } from '../../core/zod-issues';

function failure(schema: z.ZodType, value: unknown): z.ZodError {
  const parsed = schema.safeParse(value);
  if (parsed.success) throw new Error('expected a failure');
  return parsed.error;
}

describe('describeIssues', () => {
  it('describes each issue path first', () => {
    expect(describeIssues(failure(RejectInput, { by: 'a', reason: '' }))).toBe(
      'reason: a rejection needs a reason the agent can act on',
    );
  });

  it('labels an issue of the whole value as the body unless told what the value is', () => {
    expect(describeIssues(failure(RejectInput, 'nope'))).toMatch(/^\(body\): /);
    expect(describeIssues(failure(RejectInput, 'nope'), '(file)')).toMatch(/^\(file\): /);
  });

  it('joins nested paths with dots and separates issues with semicolons', () => {
    const schema = z.object({ spike: z.object({ message: z.string() }), agent: z.string() });
    expect(describeIssues(failure(schema, { spike: {} }))).toMatch(/^spike\.message: .+; agent: .+$/);
  });
});

describe('issuesOf', () => {
  it('gives each issue as data: dotted path, zod code and message', () => {
    const schema = z.object({ spike: z.object({ message: z.string() }) });
    expect(issuesOf(failure(schema, { spike: { message: 1 } }))).toEqual([
      { path: 'spike.message', code: 'invalid_type', message: expect.any(String) },
    ]);
  });
});
