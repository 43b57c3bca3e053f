import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application } from '../../model/application.js';
import type { KubeObject } from '../../model/kube-object.js';
import { ANNOTATION_SHARED_BY, managersOf } from '../../model/ownership-metadata.js';
import type { StepStatus } from '../../model/step-status.js';
import { testApp } from '../harness/apps.js';
import { eventually, startTestStack, type TestStack } from '../harness/stack.js';

const IMAGE_A = 'stefanprodan/podinfo:6.0.1';
const IMAGE_B = 'stefanprodan/podinfo:6.0.2';

function failedMessages(steps: StepStatus[] | undefined): string[] {
  return (steps ?? []).flatMap((s) => [
    ...(s.phase === 'failed' && s.message ? [s.message] : []),
    ...failedMessages(s.subSteps),
  ]);
}

/** Two applications of one namespace, each with a component `api`: the story of issue 15. */
describe('ownership of cluster objects', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const live = (ns: string, kind: string, name: string): Promise<KubeObject | undefined> =>
    stack.clusters
      .client('local')
      .read({ apiVersion: kind === 'Deployment' ? 'apps/v1' : 'v1', kind, namespace: ns, name });
  const image = (d: KubeObject | undefined): string | undefined =>
    (d?.spec as { template?: { spec?: { containers?: { image?: string }[] } } } | undefined)?.template?.spec
      ?.containers?.[0]?.image;

  async function deploy(app: Application, version: string) {
    const ref = { name: app.metadata.name, namespace: app.metadata.namespace };
    const published = await stack.client.publish({ app, publishVersion: version });
    const meta = await stack.client.waitForRevision(ref, published.revision, { timeoutMs: 60_000 });
    return { meta, status: await stack.client.status(ref) };
  }

  /** A Deployment made outside Revela, as `kubectl create` would. */
  async function createByHand(ns: string, name: string, img: string): Promise<KubeObject> {
    const client = stack.clusters.client('local');
    await client.ensureNamespace(ns);
    return client.apply(
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name, namespace: ns },
        spec: {
          replicas: 1,
          // The selector webservice renders: a Deployment's selector cannot change after creation.
          selector: { matchLabels: { 'app.oam.dev/component': name } },
          template: {
            metadata: { labels: { 'app.oam.dev/component': name } },
            spec: { containers: [{ name, image: img }] },
          },
        },
      },
      { fieldManager: 'kubectl-create' },
    );
  }

  it("refuses a second application's publish over the first's Deployment, naming the owner, and changes nothing", async () => {
    const ns = 'own-refuse';
    await deploy(testApp({ name: 'team-a', namespace: ns, components: { api: IMAGE_A } }), 'v1');
    const before = await live(ns, 'Deployment', 'api');

    const { meta, status } = await deploy(
      testApp({ name: 'team-b', namespace: ns, components: { api: IMAGE_B } }),
      'v1',
    );
    expect(meta.status).toBe('Failed');
    expect(failedMessages(status.run?.steps).join('\n')).toContain(
      `Deployment ${ns}/api is managed by application ${ns}/team-a`,
    );
    const after = await live(ns, 'Deployment', 'api');
    // Controllers still write its status; nothing wrote its spec or its labels.
    expect(after?.metadata.generation).toBe(before?.metadata.generation);
    expect(after?.metadata.labels).toEqual(before?.metadata.labels);
    expect(image(after)).toBe(IMAGE_A);
    expect(managersOf(after as KubeObject)).not.toContain(`revela/${ns}/team-b`);
  });

  it('keeps an object two applications share until its last holder drops it', async () => {
    const ns = 'own-shared';
    const shared = [
      {
        name: 'share-api',
        type: 'shared-resource',
        properties: { rules: [{ selector: { resourceNames: ['api'] } }] },
      },
    ];
    const a = testApp({
      name: 'team-a',
      namespace: ns,
      components: { api: IMAGE_A, web: IMAGE_A },
      policies: shared,
    });
    const b = testApp({
      name: 'team-b',
      namespace: ns,
      components: { api: IMAGE_B, site: IMAGE_B },
      policies: shared,
    });
    expect((await deploy(a, 'v1')).meta.status).toBe('Succeeded');
    expect((await deploy(b, 'v1')).meta.status).toBe('Succeeded');
    let api = await live(ns, 'Deployment', 'api');
    expect(api?.metadata.annotations?.[ANNOTATION_SHARED_BY]).toBe(`${ns}/team-a,${ns}/team-b`);
    expect(image(api)).toBe(IMAGE_A); // the first holder wrote it; the second only holds it

    // team-a drops api: it stays, handed to team-b.
    expect(
      (
        await deploy(
          testApp({ name: 'team-a', namespace: ns, components: { web: IMAGE_A }, policies: shared }),
          'v2',
        )
      ).meta.status,
    ).toBe('Succeeded');
    api = await live(ns, 'Deployment', 'api');
    expect(api).toBeDefined();
    expect(api?.metadata.labels?.['app.oam.dev/name']).toBe('team-b');
    expect(api?.metadata.annotations?.[ANNOTATION_SHARED_BY]).toBe(`${ns}/team-b`);

    // team-b, the last holder, drops it: now it goes.
    expect(
      (
        await deploy(
          testApp({ name: 'team-b', namespace: ns, components: { site: IMAGE_B }, policies: shared }),
          'v2',
        )
      ).meta.status,
    ).toBe('Succeeded');
    expect(await live(ns, 'Deployment', 'api')).toBeUndefined();
  });

  it('adopts an object made outside Revela only with take-over', async () => {
    const ns = 'own-take-over';
    await createByHand(ns, 'api', IMAGE_A);
    const plain = await deploy(testApp({ name: 'shop', namespace: ns, components: { api: IMAGE_B } }), 'v1');
    expect(plain.meta.status).toBe('Failed');
    expect(failedMessages(plain.status.run?.steps).join('\n')).toContain(
      `Deployment ${ns}/api exists and is not managed by any application`,
    );
    expect(image(await live(ns, 'Deployment', 'api'))).toBe(IMAGE_A);

    const takeOver = [
      {
        name: 'adopt',
        type: 'take-over',
        properties: { rules: [{ selector: { resourceTypes: ['Deployment'] } }] },
      },
    ];
    const adopted = await deploy(
      testApp({ name: 'shop', namespace: ns, components: { api: IMAGE_B }, policies: takeOver }),
      'v2',
    );
    expect(adopted.meta.status).toBe('Succeeded');
    const api = await live(ns, 'Deployment', 'api');
    expect(api?.metadata.labels?.['app.oam.dev/name']).toBe('shop');
    expect(image(api)).toBe(IMAGE_B);
  });

  it('never writes a read-only object, and still waits for it to be healthy', async () => {
    const ns = 'own-read-only';
    const made = await createByHand(ns, 'api', IMAGE_A);
    const readOnly = [
      { name: 'ro', type: 'read-only', properties: { rules: [{ selector: { componentNames: ['api'] } }] } },
    ];
    const { meta, status } = await deploy(
      testApp({ name: 'shop', namespace: ns, components: { api: IMAGE_B }, policies: readOnly }),
      'v1',
    );
    expect(meta.status).toBe('Succeeded');
    const api = await live(ns, 'Deployment', 'api');
    expect(image(api)).toBe(IMAGE_A);
    expect(api?.metadata.generation).toBe(made.metadata.generation);
    expect(managersOf(api as KubeObject).filter((m) => m.startsWith('revela'))).toEqual([]);
    expect(status.services.find((s) => s.component === 'api')?.healthy).toBe(true);
  });

  it("garbage collection leaves an object recreated by someone else, and never deletes another application's object", async () => {
    const ns = 'own-gc';
    // State keep would race the test to put extra back: here it only reports.
    const policies = [{ name: 'keep', type: 'state-keep', properties: { enable: false } }];
    await deploy(
      testApp({ name: 'shop', namespace: ns, components: { api: IMAGE_A, extra: IMAGE_A }, policies }),
      'v1',
    );
    // Someone deletes extra and makes their own in its place.
    const client = stack.clusters.client('local');
    await client.delete({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: ns, name: 'extra' });
    await waitGone(ns, 'extra');
    const theirs = await createByHand(ns, 'extra', IMAGE_B);

    expect(
      (await deploy(testApp({ name: 'shop', namespace: ns, components: { api: IMAGE_A }, policies }), 'v2'))
        .meta.status,
    ).toBe('Succeeded');
    const extra = await live(ns, 'Deployment', 'extra');
    expect(extra?.metadata.uid).toBe(theirs.metadata.uid);
    expect(image(extra)).toBe(IMAGE_B);
  });

  const waitGone = (ns: string, name: string) =>
    eventually(
      `Deployment ${ns}/${name} to be gone`,
      async () => ((await live(ns, 'Deployment', name)) ? undefined : true),
      { timeoutMs: 30_000 },
    );

  it('collection follows garbage-collect rules: strategy never keeps a dropped object', async () => {
    const ns = 'own-gc-rules';
    const gc = [
      {
        name: 'gc',
        type: 'garbage-collect',
        properties: { rules: [{ selector: { componentNames: ['extra'] }, strategy: 'never' }] },
      },
    ];
    await deploy(
      testApp({ name: 'shop', namespace: ns, components: { api: IMAGE_A, extra: IMAGE_A }, policies: gc }),
      'v1',
    );
    expect(
      (
        await deploy(
          testApp({ name: 'shop', namespace: ns, components: { api: IMAGE_A }, policies: gc }),
          'v2',
        )
      ).meta.status,
    ).toBe('Succeeded');
    expect(await live(ns, 'Deployment', 'extra')).toBeDefined();
  });
});
