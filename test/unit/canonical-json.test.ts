import { describe, expect, it } from 'vitest';
import { canonicalJson, sortKeysDeep } from '../../model/canonical-json.js';

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
