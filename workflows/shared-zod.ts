// Preloaded into the worker's workflow context (WORKFLOW_PRELOAD_MODULES, worker/create-worker.ts):
// one copy of the zod library serves every run instead of one copy per run (~0.7 MB and ~30 ms each,
// and every schema of a run then shares zod's classes). The SDK deep-freezes a preloaded module before
// any run starts, and zod finishes a schema class on its first construction (it installs members on
// the class's prototype) and some of its shared state on first use; so every class is built and used
// once here, before the freeze. workflows/shared-modules.ts builds the schemas all runs share.
import { z } from 'zod';

const sample = z.object({ kind: z.literal('a'), text: z.string().min(1).max(10).trim(), count: z.number().int() });

/** One schema of every class zod exports, each built through the API a program uses. */
function oneOfEachClass(): z.ZodType[] {
  const number = z.number();
  const text = z.string();
  return [
    text,
    ...[z.iso.datetime(), z.iso.date(), z.iso.time(), z.iso.duration()],
    ...[z.email(), z.guid(), z.uuid(), z.url(), z.emoji(), z.nanoid(), z.cuid(), z.cuid2(), z.ulid(), z.xid()],
    ...[z.ksuid(), z.ipv4(), z.mac(), z.ipv6(), z.cidrv4(), z.cidrv6(), z.base64(), z.base64url(), z.e164()],
    ...[z.creditCard(), z.iban(), z.jwt(), z.hostname(), z.stringFormat('warm', /^w$/)],
    ...[number, z.int(), z.boolean(), z.bigint(), z.int64(), z.symbol(), z.undefined(), z.null(), z.any()],
    ...[z.unknown(), z.never(), z.void(), z.date(), z.array(text), sample, z.union([text, number])],
    z.xor([text, number]),
    z.discriminatedUnion('kind', [sample, z.object({ kind: z.literal('b') })]),
    ...[z.intersection(sample, z.object({})), z.tuple([text]), z.record(text, number), z.map(text, number)],
    ...[z.set(text), z.enum(['a', 'b']), z.literal('a'), z.transform((value) => value)],
    ...[text.optional(), z.exactOptional(text), text.nullable(), text.default('a'), text.prefault('a')],
    ...[text.optional().nonoptional(), z.success(text), text.catch('a'), z.nan(), text.pipe(z.string())],
    z.codec(text, number, { decode: Number, encode: String }),
    z.preprocess((value) => value, text),
    ...[text.readonly(), z.templateLiteral(['a', number]), z.lazy(() => text)],
    ...[z.custom<string>((value) => typeof value === 'string'), z.instanceof(Date)],
  ] as z.ZodType[];
}

/** Something zod built: a schema or an error, each knows the class that constructed it. */
export type ZodBuilt = { _zod: { constr: unknown } };

/** Builds every class and uses every schema once (parses that pass and fail, the API deriving schemas); returns all it built. */
export function warmUpZod(): ZodBuilt[] {
  const schemas = oneOfEachClass();
  for (const schema of schemas) {
    for (const value of [undefined, null, 'a', 1, {}, [], { kind: 'a', text: ' a ', count: 1 }]) {
      const result = schema.safeParse(value);
      if (!result.success) void result.error.issues.length;
    }
  }
  const described = sample.describe('warm').extend({ more: z.string() }).partial().required();
  void [described.description, described.pick({ kind: true }), described.omit({ kind: true }), described.shape];
  void [sample.safeParse({}).error?.message, z.core.util.allowsEval.value];
  // Built, never parsed with: the base classes, which no factory returns, files (no File in a workflow),
  // promises and functions (no synchronous parse), and the errors.
  const bases = [new z.ZodType(z.unknown()._zod.def), new z._ZodString(z.string()._zod.def)];
  const unparsed: z.ZodType[] = [...bases, new z.ZodStringFormat(z.hostname()._zod.def)];
  unparsed.push(z.file(), z.promise(z.string()), z.function() as unknown as z.ZodType);
  const errors = [new z.ZodError([]), new z.ZodRealError([])] as unknown as ZodBuilt[];
  return [...schemas, ...unparsed, ...errors];
}

warmUpZod();
