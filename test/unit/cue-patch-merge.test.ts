import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { cueEngine, type CueEngine } from '../../cue/engine.js';
import { strategicMerge } from '../../model/strategic-merge.js';

type Json = Record<string, unknown>;

function templates(file: string): Map<string, string> {
  const text = readFileSync(new URL(`../fixtures/cue/${file}`, import.meta.url), 'utf8');
  return new Map(
    parseAllDocuments(text).map((d) => {
      const def = d.toJS() as {
        metadata: { name: string };
        spec: { schematic: { cue: { template: string } } };
      };
      return [def.metadata.name, def.spec.schematic.cue.template];
    }),
  );
}

const component = templates('cue-webservice.yaml');
const traits = templates('cue-traits.yaml');
const context = {
  name: 'web',
  appName: 'shop',
  namespace: 'examples',
  appRevision: 'shop-v1',
  cluster: 'local',
};

let engine: CueEngine;
beforeAll(async () => {
  engine = await cueEngine();
}, 600_000);

function workload(parameter: Json): Json {
  const template = component.get('cue-webservice') as string;
  const { output } = engine.renderComponent({
    definition: 'cue-webservice',
    object: 'c',
    template,
    parameter,
    context,
  });
  return output as Json;
}

/** Renders a trait against `output` and applies its patch the way rendering does. */
function patched(output: Json, trait: string, parameter: Json): Json {
  const template = traits.get(trait) as string;
  const result = engine.renderTrait({
    definition: trait,
    object: `TraitDefinition ${trait}`,
    template,
    parameter,
    context: { ...context, output, outputs: {} },
  });
  return strategicMerge(output, result.patch, result.patchAnnotations);
}

const containers = (d: Json) =>
  (d as { spec: { template: { spec: { containers: Json[] } } } }).spec.template.spec.containers;

describe('CUE trait patches merge into the workload as KubeVela merges them', { timeout: 60_000 }, () => {
  it('a sidecar is appended next to the main container (patchKey=name)', () => {
    const out = patched(workload({ image: 'nginx' }), 'cue-sidecar', { name: 'log', image: 'busybox' });
    expect(containers(out).map((c) => [c.name, c.image])).toEqual([
      ['web', 'nginx'],
      ['log', 'busybox'],
    ]);
  });

  it('a sidecar of the same name as a container merges into it instead of adding one', () => {
    const out = patched(workload({ image: 'nginx' }), 'cue-sidecar', {
      name: 'web',
      image: 'nginx:2',
      cmd: ['run'],
    });
    expect(containers(out)).toHaveLength(1);
    expect(containers(out)[0]).toMatchObject({
      name: 'web',
      image: 'nginx:2',
      command: ['run'],
      args: ['--tier=backend'],
    });
  });

  it('env entries merge by name: existing ones change, new ones are appended', () => {
    const out = patched(workload({ image: 'nginx' }), 'cue-env', {
      env: { APP_NAME: 'renamed', LOG: 'debug' },
    });
    expect(containers(out)[0]?.env).toEqual([
      { name: 'APP_NAME', value: 'renamed' },
      { name: 'APP_REVISION', value: 'shop-v1' },
      { name: 'LOG', value: 'debug' },
    ]);
  });

  it('two traits stack: a sidecar, then env for the sidecar only', () => {
    const withSidecar = patched(workload({ image: 'nginx' }), 'cue-sidecar', {
      name: 'log',
      image: 'busybox',
    });
    const out = patched(withSidecar, 'cue-env', { containerName: 'log', env: { LEVEL: 'info' } });
    expect(containers(out)[0]?.env).toHaveLength(2);
    expect(containers(out)[1]).toEqual({
      name: 'log',
      image: 'busybox',
      env: [{ name: 'LEVEL', value: 'info' }],
    });
  });

  it('retainKeys replaces the strategy instead of merging into it', () => {
    const rolling = { ...workload({ image: 'nginx' }) };
    const spec = rolling.spec as Json;
    rolling.spec = { ...spec, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } } };
    const out = patched(rolling, 'cue-recreate', {});
    expect((out.spec as Json).strategy).toEqual({ type: 'Recreate' });
  });
});

describe('strategicMerge with annotations', { timeout: 60_000 }, () => {
  const base = {
    spec: {
      items: [
        { id: 'a', v: 1, keep: true },
        { id: 'b', v: 2 },
      ],
      tags: ['x', 'y'],
    },
  };

  it('merges a list by an annotated key that is not name', () => {
    const out = strategicMerge(
      base,
      {
        spec: {
          items: [
            { id: 'b', v: 3 },
            { id: 'c', v: 4 },
          ],
        },
      },
      [{ path: ['spec', 'items'], patchKey: 'id' }],
    );
    expect(out.spec.items).toEqual([
      { id: 'a', v: 1, keep: true },
      { id: 'b', v: 3 },
      { id: 'c', v: 4 },
    ]);
  });

  it('a keyed list with retainKeys replaces the matched item', () => {
    const out = strategicMerge(base, { spec: { items: [{ id: 'a', v: 9 }] } }, [
      { path: ['spec', 'items'], patchKey: 'id', patchStrategy: 'retainKeys' },
    ]);
    expect(out.spec.items[0]).toEqual({ id: 'a', v: 9 });
  });

  it('replace puts the patch list in place of a list that would merge by name', () => {
    const named = { c: [{ name: 'a', x: 1 }] };
    expect(
      strategicMerge(named, { c: [{ name: 'b' }] }, [{ path: ['c'], patchStrategy: 'replace' }]),
    ).toEqual({
      c: [{ name: 'b' }],
    });
    expect(strategicMerge(named, { c: [{ name: 'b' }] })).toEqual({
      c: [{ name: 'a', x: 1 }, { name: 'b' }],
    });
  });

  it('a patchKey is inherited by lists below that have the key', () => {
    const out = strategicMerge(
      { cs: [{ name: 'a', env: [{ name: 'X', value: '1' }], ports: [{ containerPort: 80 }] }] },
      { cs: [{ name: 'a', env: [{ name: 'Y', value: '2' }], ports: [{ containerPort: 81 }] }] },
      [{ path: ['cs'], patchKey: 'name' }],
    );
    expect(out.cs[0]?.env).toEqual([
      { name: 'X', value: '1' },
      { name: 'Y', value: '2' },
    ]);
    // ports have no `name`: the usual key (containerPort) decides.
    expect(out.cs[0]?.ports).toEqual([{ containerPort: 80 }, { containerPort: 81 }]);
  });

  it('jsonMergePatch at the root replaces lists and removes nulls', () => {
    const out = strategicMerge(base, { spec: { items: [{ id: 'z' }], tags: null } }, [
      { path: [], patchStrategy: 'jsonMergePatch' },
    ]);
    expect(out).toEqual({ spec: { items: [{ id: 'z' }] } });
  });
});
