import { describe, expect, it } from 'vitest';
import { sameJson } from '../../model/same-json.js';

/** sameJson may say false for values that print alike, but never true for values that do not. */
function expectSound(a: unknown, b: unknown): void {
  if (sameJson(a, b)) expect(JSON.stringify(a)).toBe(JSON.stringify(b));
}

describe('sameJson', () => {
  const component = {
    name: 'svc-1',
    type: 'webservice',
    properties: { image: 'podinfo:6.0.1', ports: [{ port: 8080, expose: true }], cpu: 0.25 },
    traits: [{ type: 'scaler', properties: { replicas: 3 } }],
    dependsOn: [],
  };

  it('says a placement copy of a component prints as the component', () => {
    expect(sameJson(component, structuredClone(component))).toBe(true);
    expect(sameJson(component, component)).toBe(true);
  });

  it('tells apart a changed member, another key order and a missing member', () => {
    const changed = structuredClone(component);
    changed.traits[0]!.properties.replicas = 4;
    expect(sameJson(component, changed)).toBe(false);
    expect(sameJson({ a: 1, b: 2 }, { b: 2, a: 1 })).toBe(false);
    expect(sameJson({ a: 1, b: 2 }, { a: 1 })).toBe(false);
    expect(sameJson([1, 2], [1, 2, 3])).toBe(false);
    expect(sameJson([1], { 0: 1 })).toBe(false);
    expect(sameJson({ n: 0 }, { n: -0 })).toBe(true);
  });

  it('leaves to JSON.stringify what JSON prints by rules of its own', () => {
    const date = new Date(0);
    for (const [a, b] of [
      [{ a: undefined }, { a: undefined }],
      [{ a: undefined }, {}],
      [NaN, NaN],
      [{ toJSON: () => 1 }, { toJSON: () => 2 }],
      [date, date],
      [new Map(), new Map()],
      [() => 1, () => 1],
    ] as [unknown, unknown][]) {
      expect(sameJson(a, b)).toBe(false);
      expectSound(a, b);
    }
  });
});
