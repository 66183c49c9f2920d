import { z } from 'zod';
import * as identity from '../../core/identity';
import * as policy from '../../core/policy';
import * as run from '../../core/run';
import * as thread from '../../core/thread';
import * as usage from '../../core/usage';
import { settleSharedSchemas } from '../../workflows/settle-schemas';

/**
 * The worker's freeze of preloaded modules, as the SDK's reusable V8 context does it: own properties of
 * objects, recursively; functions are frozen but not walked; Maps, Sets and closures are left alone.
 */
function freezeLikeTheWorker(value: unknown, seen = new WeakSet<object>()): void {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function') || seen.has(value)) return;
  seen.add(value);
  if (typeof value === 'object')
    for (const key of Reflect.ownKeys(value)) {
      try {
        freezeLikeTheWorker((value as Record<PropertyKey, unknown>)[key], seen);
      } catch {
        // as the SDK: some objects (typed arrays) cannot be frozen
      }
    }
  Object.freeze(value);
}

const signature = { signer: 'alice', value: 'ab'.repeat(64) };

describe('schemas shared frozen by every run (workflows/shared-modules.ts)', () => {
  it('an unsettled zod schema refuses its first parse once frozen: why the preload settles them', () => {
    const schema = z.object({ name: z.string(), count: z.number().optional() });
    freezeLikeTheWorker({ schema });
    expect(() => schema.safeParse({ name: 'a' })).toThrow(TypeError);
  });

  it('settled and frozen, the core schemas a run uses parse, refuse with their messages, and derive', () => {
    const modules = { 'core/identity': identity, 'core/policy': policy, 'core/run': run, 'core/thread': thread };
    expect(settleSharedSchemas({ ...modules, 'core/usage': usage })).toBeGreaterThan(300);
    freezeLikeTheWorker({ ...modules, usage });

    expect(run.AgentWorkflowInput.parse({ agent: 'deploybot', message: 'deploy main' })).toEqual({
      agent: 'deploybot',
      message: 'deploy main',
    });
    const refused = run.AgentWorkflowInput.safeParse({ agent: '', maxSteps: -1 });
    expect(refused.success).toBe(false);
    expect(refused.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['agent', 'maxSteps']);
    expect(identity.DecisionSignature.parse(signature)).toEqual(signature);
    expect(identity.DecisionSignature.safeParse({ ...signature, value: 'not hex' }).error?.issues[0]?.message).toBe(
      'expected an Ed25519 signature: 128 hex digits',
    );
    expect(policy.Person.safeParse({ slackUserId: 'alice' }).error?.issues[0]?.message).toBe(
      'a Slack user id such as U024BE7LH',
    );
    expect(policy.Person.parse({ slackUserId: 'U024BE7LH' })).toEqual({ slackUserId: 'U024BE7LH' });
    const prices = { pricesAsOf: '2026-13-01', currency: 'USD', unit: 'per 1M tokens', models: {} };
    expect(usage.PriceTable.safeParse(prices).error?.issues[0]?.path).toEqual(['pricesAsOf']);
    expect(usage.PriceTable.safeParse({ ...prices, pricesAsOf: '2026-12-03' }).success).toBe(true);
    // A run may derive a schema from a shared one: the derived schema is its own.
    expect(identity.DecisionSignature.partial().extend({ note: z.string() }).parse({ note: 'n' })).toEqual({
      note: 'n',
    });
  });

  it.each([
    ['a .regex() check', z.object({ id: z.string().regex(/^a+$/) })],
    ['a string format', z.object({ id: z.iso.date() })],
    ['a template literal', z.object({ id: z.templateLiteral(['run-', z.number()]) })],
  ])('refuses to share a schema with %s, naming where it is', (_kind, schema) => {
    expect(() => settleSharedSchemas({ 'core/example': { Example: schema } })).toThrow(
      /^core\/example\.Example\.\S*id\S* (holds a RegExp|is a template literal).*\.refine\(\)/,
    );
  });
});
