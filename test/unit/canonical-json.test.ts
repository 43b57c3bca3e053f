import { describe, expect, it } from 'vitest';
import { canonicalJson, sortKeysDeep, sortKeysOwned } from '../../model/canonical-json.js';

function nested(depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = { b: 1, a: [undefined, 2] };
  for (let i = 0; i < depth; i++) value = { z: i, child: value };
  return value;
}

describe('canonical JSON', () => {
  it('sorts keys at every level and drops undefined members', () => {
    const value = { b: { d: 1, c: undefined, a: [{ y: 1, x: 2 }] }, a: 'first' };
    expect(canonicalJson(value)).toBe('{"a":"first","b":{"a":[{"x":2,"y":1}],"d":1}}');
    expect(JSON.stringify(sortKeysDeep(value))).toBe(canonicalJson(value));
  });

  it('serializes values nested deeper than its walk without cycle checks goes', () => {
    const deep = nested(500);
    const expected = JSON.stringify(deep, (_key, v: unknown) =>
      typeof v === 'object' && v !== null && !Array.isArray(v)
        ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
        : v,
    );
    expect(canonicalJson(deep)).toBe(expected);
    expect(JSON.stringify(sortKeysDeep(deep))).toBe(expected);
  });

  it('refuses a value that contains a cycle, naming it', () => {
    const cycle: Record<string, unknown> = { name: 'loop' };
    cycle.self = { back: cycle };
    expect(() => canonicalJson(cycle)).toThrow(new TypeError('canonicalJson: the value contains a cycle'));
    expect(() => sortKeysDeep(cycle)).toThrow(new TypeError('sortKeysDeep: the value contains a cycle'));
  });

  it('accepts the same object twice when it is not its own ancestor', () => {
    const shared = { x: 1 };
    expect(canonicalJson({ a: shared, b: [shared, shared] })).toBe('{"a":{"x":1},"b":[{"x":1},{"x":1}]}');
  });
});

/** The keys of every object in `value`, in order, as a string: what key order the JSON has. */
function keyOrder(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'object' && v !== null && !Array.isArray(v)
      ? [Object.keys(v), ...(Object.values(v) as unknown[])]
      : v,
  );
}

describe('sorting a value in place (sortKeysOwned)', () => {
  const samples: [string, () => unknown][] = [
    ['nested objects and arrays', () => ({ b: { d: 1, c: undefined, a: [{ y: 1, x: 2 }] }, a: 'first' })],
    [
      'already sorted',
      () => ({ apiVersion: 'v1', kind: 'Service', metadata: { labels: { a: '1', b: '2' } } }),
    ],
    ['integer-like keys', () => ({ 10: 'ten', 2: 'two', a: { 1: 1, 0: 0 } })],
    ['numbers JSON has no form for', () => ({ a: Number.NaN, b: [Infinity, -0, 1.5] })],
    [
      'functions, symbols and undefined',
      () => ({ f: () => 1, s: Symbol('s'), u: undefined, l: [undefined, () => 1] }),
    ],
    ['a Date (toJSON)', () => ({ when: new Date(0), z: 1 })],
    ['an own __proto__ member', () => JSON.parse('{"b":1,"__proto__":{"x":1},"a":2}') as unknown],
    [
      'a class instance',
      () => ({
        m: new (class {
          b = 1;
          a = 2;
        })(),
      }),
    ],
    [
      'more keys than the insertion sort takes',
      () => Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${(i * 7) % 40}`, i])),
    ],
    ['values nested deeper than the walk goes', () => nested(300)],
  ];

  for (const [name, make] of samples) {
    it(`gives what sortKeysDeep gives for ${name}, keys in the same order`, () => {
      const expected = sortKeysDeep(make());
      const actual = sortKeysOwned(make());
      expect(keyOrder(actual)).toBe(keyOrder(expected));
      expect(JSON.stringify(actual)).toBe(JSON.stringify(expected));
      // An own `__proto__` member becomes the prototype in both (an assignment makes it so).
      expect(keyOrder(Object.getPrototypeOf(actual))).toBe(keyOrder(Object.getPrototypeOf(expected)));
    });
  }

  it('keeps objects already in order and arrays, and takes members over', () => {
    const inner = { a: 1, b: 2 };
    const list = [{ y: 1, x: 2 }];
    const value = { a: inner, b: list, c: { z: inner } };
    const sorted = sortKeysOwned(value);
    expect(sorted).toBe(value);
    expect(sorted.a).toBe(inner);
    expect(sorted.b).toBe(list);
    expect(Object.keys(list[0] as object)).toEqual(['x', 'y']);
  });

  it('refuses a value that contains a cycle, as sortKeysDeep does', () => {
    const cycle: Record<string, unknown> = { name: 'loop' };
    cycle.self = { back: cycle };
    expect(() => sortKeysOwned(cycle)).toThrow(new TypeError('sortKeysDeep: the value contains a cycle'));
  });
});
