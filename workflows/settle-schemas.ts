// Readies the zod schemas of preloaded modules (workflows/shared-modules.ts) for the freeze that follows.
// The SDK deep-freezes everything a preloaded module exports before the first run starts. A zod schema
// finishes itself on first use: it caches bound methods and derived internals as own properties, and
// its first parse replaces its parse function. A frozen schema refuses each of those writes, so every
// schema reachable from the shared modules is used once here, before the freeze.

/** A zod schema or check: an object with its internals as an own `_zod`. */
type SchemaOrCheck = { _zod: { def?: Record<string, unknown>; run?: unknown } } & Record<PropertyKey, unknown>;

function isSchemaOrCheck(value: object): value is SchemaOrCheck {
  return Object.prototype.hasOwnProperty.call(value, '_zod');
}

/** Reads, through `target`, every accessor its prototypes define: zod caches what each returns on `target`. */
function readPrototypeAccessors(target: Record<PropertyKey, unknown>): void {
  for (
    let proto = Object.getPrototypeOf(target);
    proto && proto !== Object.prototype;
    proto = Object.getPrototypeOf(proto)
  )
    for (const key of Reflect.ownKeys(proto)) {
      if (!Object.getOwnPropertyDescriptor(proto, key)?.get) continue;
      try {
        void target[key];
      } catch {
        // A getter that throws caches nothing and throws the same way on a frozen schema.
      }
    }
}

/**
 * Why a shared schema cannot be frozen, or null. zod resets a check's RegExp (lastIndex) on every test
 * and a template literal's pattern on every parse; a frozen RegExp refuses the reset.
 */
function unfreezable(zod: SchemaOrCheck['_zod']): string | null {
  const def = zod.def ?? {};
  if (def.type === 'template_literal') return 'is a template literal';
  const key = Object.keys(def).find((name) => def[name] instanceof RegExp);
  return key === undefined ? null : `holds a RegExp (${key})`;
}

function settle(schema: SchemaOrCheck, where: string): void {
  const reason = unfreezable(schema._zod);
  if (reason)
    throw new Error(
      `${where} ${reason}, which zod writes to on every parse and the worker freezes for sharing: ` +
        'test the text with .refine() and a RegExp of the module instead',
    );
  readPrototypeAccessors(schema);
  readPrototypeAccessors(schema._zod as Record<PropertyKey, unknown>);
  if (typeof schema._zod.run !== 'function' || !schema._zod.def) return;
  try {
    // Any input does: the first call is what rewrites the parse function.
    const result: unknown = schema._zod.run({ value: undefined, issues: [] }, { async: false });
    if (result instanceof Promise) result.catch(() => undefined);
  } catch {
    // A transform refusing undefined has still been called once.
  }
}

/**
 * Settles every zod schema reachable from `modules` (name → module namespace) the way the SDK's freeze
 * walks them: own properties of objects, not the insides of functions, Maps or Sets. Throws, naming the
 * path, for a schema that cannot be shared. Returns how many schemas and checks it settled.
 */
export function settleSharedSchemas(modules: Record<string, object>): number {
  const seen = new Set<object>();
  const pending = Object.entries(modules).map(([name, namespace]): [unknown, string] => [namespace, name]);
  let settled = 0;
  while (pending.length > 0) {
    const [value, where] = pending.pop()!;
    if (value === null || typeof value !== 'object' || seen.has(value)) continue;
    seen.add(value);
    if (isSchemaOrCheck(value)) {
      settle(value, where);
      settled++;
    }
    for (const key of Reflect.ownKeys(value)) {
      let child: unknown;
      try {
        child = (value as Record<PropertyKey, unknown>)[key];
      } catch {
        continue;
      }
      pending.push([child, `${where}.${String(key)}`]);
    }
  }
  return settled;
}
