import { describe, expect, it } from 'vitest';
import { jsonClone } from '../../model/json-clone.js';

/** What jsonClone promises to equal. */
function roundTrip(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value)) as unknown;
}

/** The same value printed, and its members' own names (`__proto__` included), compared exactly. */
function expectSameAsJson(value: unknown): void {
  const copy = jsonClone(value);
  const expected = roundTrip(value);
  expect(JSON.stringify(copy)).toBe(JSON.stringify(expected));
  expect(copy).toStrictEqual(expected);
}

describe('jsonClone', () => {
  it('copies a rendered Deployment member for member, in the same key order', () => {
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'podinfo', labels: { 'app.oam.dev/name': 'podinfo', '2': 'digit-first' } },
      spec: {
        replicas: 2,
        template: { spec: { containers: [{ name: 'podinfo', ports: [{ containerPort: 9898 }] }] } },
      },
    };
    const copy = jsonClone(deployment);
    expectSameAsJson(deployment);
    expect(Object.keys(copy.metadata.labels)).toEqual(Object.keys(deployment.metadata.labels));
  });

  it('shares nothing with the original, so a caller may change the copy', () => {
    const original = { spec: { containers: [{ env: [{ name: 'A', value: '1' }] }] } };
    const copy = jsonClone(original);
    copy.spec.containers[0]!.env.push({ name: 'B', value: '2' });
    expect(original.spec.containers[0]!.env).toHaveLength(1);
  });

  it('drops what JSON drops and writes null where JSON writes null', () => {
    expectSameAsJson({
      gone: undefined,
      fn: () => 1,
      sym: Symbol('s'),
      list: [undefined, () => 1, Symbol('s'), Number.NaN, Infinity, -0, 1.5],
      nan: Number.NaN,
      negativeZero: -0,
      nested: { empty: {}, none: [] },
    });
    expect(Object.is(jsonClone({ x: -0 }).x, 0)).toBe(true);
  });

  it('turns Dates, boxed values and toJSON objects into what JSON prints for them', () => {
    expectSameAsJson({
      at: new Date(Date.UTC(2024, 0, 2)),
      boxed: [new Number(3), new String('s'), new Boolean(false)],
      custom: { toJSON: (key: string) => `member ${key}` },
      inList: [{ toJSON: (key: string) => `index ${key}` }],
      map: new Map([['a', 1]]),
    });
  });

  it('keeps a member named __proto__ as a member, as JSON.parse does', () => {
    const value = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as Record<string, unknown>;
    const copy = jsonClone(value);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.keys(copy)).toEqual(['__proto__', 'a']);
    expectSameAsJson(value);
  });

  it('copies values nested deeper than it walks itself', () => {
    let deep: Record<string, unknown> = { leaf: true };
    for (let i = 0; i < 500; i++) deep = { child: deep };
    expectSameAsJson(deep);
  });

  it('throws what JSON throws for a cycle, a bigint and undefined', () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(() => jsonClone(cycle)).toThrow(TypeError);
    expect(() => jsonClone({ n: 1n })).toThrow(TypeError);
    expect(() => jsonClone(undefined)).toThrow(SyntaxError);
  });
});
