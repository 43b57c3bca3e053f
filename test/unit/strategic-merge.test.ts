import { describe, expect, it } from 'vitest';
import { deepMerge } from '../../model/deep-merge.js';
import { strategicMerge } from '../../model/strategic-merge.js';

const deployment = {
  spec: {
    replicas: 1,
    template: {
      spec: {
        containers: [
          {
            name: 'web',
            image: 'web:1',
            env: [{ name: 'A', value: '1' }],
            ports: [{ containerPort: 80, protocol: 'TCP' }],
          },
          { name: 'sidecar', image: 'proxy:1' },
        ],
      },
    },
  },
};

describe('strategic merge of trait patches', () => {
  it('merges containers by name and env by name, appending new items', () => {
    const merged = strategicMerge(deployment, {
      spec: {
        template: {
          spec: {
            containers: [
              {
                name: 'web',
                env: [
                  { name: 'A', value: '2' },
                  { name: 'B', value: '3' },
                ],
              },
            ],
          },
        },
      },
    });
    expect(merged.spec.template.spec.containers).toEqual([
      {
        name: 'web',
        image: 'web:1',
        env: [
          { name: 'A', value: '2' },
          { name: 'B', value: '3' },
        ],
        ports: [{ containerPort: 80, protocol: 'TCP' }],
      },
      { name: 'sidecar', image: 'proxy:1' },
    ]);
  });

  it('merges container ports by containerPort and service ports by port', () => {
    const merged = strategicMerge(deployment, {
      spec: {
        template: {
          spec: {
            containers: [
              { name: 'web', ports: [{ containerPort: 80, name: 'http' }, { containerPort: 9090 }] },
            ],
          },
        },
      },
    });
    expect(merged.spec.template.spec.containers[0]?.ports).toEqual([
      { containerPort: 80, protocol: 'TCP', name: 'http' },
      { containerPort: 9090 },
    ]);
    expect(
      strategicMerge(
        { ports: [{ port: 80, targetPort: 8080 }] },
        { ports: [{ port: 80, targetPort: 9090 }] },
      ),
    ).toEqual({
      ports: [{ port: 80, targetPort: 9090 }],
    });
  });

  it('replaces lists of scalars and lists without a merge key, and removes keys set to null', () => {
    expect(strategicMerge({ args: ['a', 'b'], x: 1 }, { args: ['c'], x: null })).toEqual({ args: ['c'] });
    expect(strategicMerge({ rules: [{ host: 'a' }] }, { rules: [{ host: 'b' }] })).toEqual({
      rules: [{ host: 'b' }],
    });
  });

  it('changes neither input', () => {
    const before = JSON.stringify(deployment);
    strategicMerge(deployment, {
      spec: { replicas: 3, template: { spec: { containers: [{ name: 'web', image: 'web:2' }] } } },
    });
    expect(JSON.stringify(deployment)).toBe(before);
  });

  it("keeps the workload's key order, adds new keys in the patch's order and shares nothing with either", () => {
    const patch = {
      z: { added: true },
      spec: { template: { metadata: { labels: { tier: 'web' } } } },
      a: [1],
    };
    const merged = strategicMerge(deployment, patch);
    expect(JSON.stringify(merged)).toBe(
      JSON.stringify({
        spec: {
          ...deployment.spec,
          template: { ...deployment.spec.template, metadata: { labels: { tier: 'web' } } },
        },
        z: { added: true },
        a: [1],
      }),
    );
    (merged.spec.template.spec.containers[0] as { env: unknown[] }).env.push({ name: 'B', value: '2' });
    (merged as unknown as typeof patch).z.added = false;
    expect(deployment.spec.template.spec.containers[0]?.env).toHaveLength(1);
    expect(patch.z.added).toBe(true);
  });

  it('gives the same result when it may share members with its inputs, and still changes neither', () => {
    const patch = {
      spec: {
        replicas: 3,
        template: {
          metadata: { labels: { tier: 'web' } },
          spec: { containers: [{ name: 'web', env: [{ name: 'B', value: '2' }] }, { name: 'new' }] },
        },
      },
    };
    const annotations = [{ path: ['spec', 'template', 'metadata'], patchStrategy: 'jsonMergePatch' }];
    const before = JSON.stringify({ deployment, patch });
    for (const notes of [[], annotations]) {
      const copied = strategicMerge(deployment, patch, notes);
      const shared = strategicMerge(deployment, patch, notes, { share: true });
      expect(JSON.stringify(shared)).toBe(JSON.stringify(copied));
    }
    expect(JSON.stringify({ deployment, patch })).toBe(before);
  });
});

describe('deep merge of override properties', () => {
  it('merges objects, replaces lists and removes keys set to null', () => {
    expect(
      deepMerge(
        { image: 'a', env: [{ name: 'X' }], limits: { cpu: '1', memory: '1Gi' } },
        { env: [], limits: { cpu: '2', memory: null } },
      ),
    ).toEqual({
      image: 'a',
      env: [],
      limits: { cpu: '2' },
    });
  });
});
