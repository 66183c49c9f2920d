import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { argsDigest, canonicalJson } from '../../core/digest';

/** The same value with every object's keys in reverse order, at every depth. */
function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .reverse()
        .map(([key, inner]) => [key, reverseKeys(inner)]),
    );
  }
  return value;
}

const jsonObject = fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 6 });

describe('canonicalJson', () => {
  it('gives the same text whatever the key order', () => {
    expect(canonicalJson({ b: 1, a: 2 })).toBe('{"a":2,"b":1}');
    expect(canonicalJson({ a: 2, b: 1 })).toBe('{"a":2,"b":1}');
  });

  it('sorts keys of nested objects, including objects inside arrays', () => {
    expect(canonicalJson({ z: { y: 1, x: [{ d: 1, c: 2 }] }, a: null })).toBe(
      '{"a":null,"z":{"x":[{"c":2,"d":1}],"y":1}}',
    );
  });

  it('keeps array order, which is meaningful', () => {
    expect(canonicalJson([2, 1])).not.toBe(canonicalJson([1, 2]));
  });

  it('is key-order independent for any JSON object, at any depth', () => {
    fc.assert(
      fc.property(jsonObject, (value) => {
        expect(canonicalJson(reverseKeys(value))).toBe(canonicalJson(value));
      }),
    );
  });

  it('is JSON that parses back to an equal value', () => {
    fc.assert(
      fc.property(jsonObject, (value) => {
        expect(JSON.parse(canonicalJson(value))).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
  });
});

describe('argsDigest', () => {
  it('is sha256 of the canonical JSON, prefixed with "sha256:"', () => {
    const args = { ref: 'main', environment: 'production' };
    const expected = createHash('sha256').update('{"environment":"production","ref":"main"}').digest('hex');
    expect(argsDigest(args)).toBe(`sha256:${expected}`);
    expect(argsDigest({})).toBe('sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a');
  });

  it('is stable across calls and key orders', () => {
    expect(argsDigest({ ref: 'main', n: 1 })).toBe(argsDigest({ n: 1, ref: 'main' }));
    fc.assert(
      fc.property(jsonObject, (args) => {
        const digest = argsDigest(args);
        expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
        expect(argsDigest(args)).toBe(digest);
        expect(argsDigest(reverseKeys(args) as Record<string, unknown>)).toBe(digest);
      }),
    );
  });

  it('differs for different arguments', () => {
    expect(argsDigest({ ref: 'main' })).not.toBe(argsDigest({ ref: 'main2' }));
    expect(argsDigest({ ref: 'main' })).not.toBe(argsDigest({ tag: 'main' }));
    expect(argsDigest({ ref: '1' })).not.toBe(argsDigest({ ref: 1 }));
    fc.assert(
      fc.property(jsonObject, jsonObject, (a, b) => {
        fc.pre(canonicalJson(a) !== canonicalJson(b));
        expect(argsDigest(a)).not.toBe(argsDigest(b));
      }),
    );
  });
});
