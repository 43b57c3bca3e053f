import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { WorkflowNotFoundError } from '@temporalio/client';
import { RevelaClient } from '../../client/revela-client.js';
import { RequestRejectedError } from '../../client/errors.js';
import type { RevelaDocument } from '../../model/document.js';
import { isRevelaError } from '../../model/errors.js';
import { appKey, applicationWorkflowId, catalogWorkflowId } from '../../model/ids.js';
import { ANNOTATION_APPLIED_AT } from '../../model/labels.js';
import { parseYamlDocuments } from '../../model/loader.js';
import { FAST_ENGINE, startTestStack, type TestStack } from '../harness/stack.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/bad/', import.meta.url));

/** One entry of `test/fixtures/bad/cases.yaml`. */
interface BadCase {
  file: string;
  category: string;
  says: string;
  type: string;
  message: string;
  object?: string;
  path?: string;
  /** `apply`: apply the file as it is first, and wait for its revision to succeed. */
  setup?: 'apply';
  /** The bad request is then `publish({ app, publishVersion })`; `repeat: N` is N characters. */
  publishVersion?: string | { repeat: number };
}

const CASES = (parse(readFileSync(join(FIXTURES, 'cases.yaml'), 'utf8')) as { cases: BadCase[] }).cases;

/** The case's documents as plain data, as a program that skips the loader would send them. */
function rawDocuments(text: string): unknown[] {
  return parseAllDocuments(text)
    .map((d) => d.toJS() as unknown)
    .filter((v) => v !== null && v !== undefined);
}

/** The namespaces and applications a case's file names, as far as its YAML can be read. */
function touched(
  c: BadCase,
  text: string,
): { namespaces: string[]; apps: { namespace: string; name: string }[] } {
  const namespaces = new Set([`bad-${basename(c.file, '.yaml')}`]);
  const apps: { namespace: string; name: string }[] = [];
  let docs: unknown[] = [];
  try {
    docs = rawDocuments(text);
  } catch {
    // YAML the library cannot even read: the default namespace is all there is.
  }
  for (const doc of docs) {
    const d = doc as { kind?: unknown; metadata?: { name?: unknown; namespace?: unknown } };
    // Every fixture names its namespace; `default` exists on every cluster from the start.
    if (typeof d.metadata?.namespace !== 'string') continue;
    const namespace = d.metadata.namespace;
    namespaces.add(namespace);
    if (d.kind === 'Application' && typeof d.metadata.name === 'string')
      apps.push({ namespace, name: d.metadata.name });
  }
  if (apps.length === 0) apps.push({ namespace: `bad-${basename(c.file, '.yaml')}`, name: 'shop' });
  return { namespaces: [...namespaces], apps };
}

/** What Revela recorded for some namespaces: workflows, entities and their revisions, cluster objects. */
interface Recorded {
  /** Workflow ids in the Temporal namespace that belong to these namespaces (`app/`, `rev/`, `catalog/`). */
  workflows: string[];
  /** Per application: `absent`, or how many revisions its entity holds. */
  entities: Record<string, 'absent' | number>;
  /** Per namespace: whether its catalog workflow exists. */
  catalogs: Record<string, 'absent' | 'present'>;
  /** Workflows the Temporal UI lists for `RevelaApp="<ns>/<name>"`. */
  listed: Record<string, string[]>;
  /** `<cluster> <kind> <namespace>/<name>@<resourceVersion>` of every object in these namespaces. */
  objects: string[];
}

async function exists(stack: TestStack, workflowId: string): Promise<boolean> {
  try {
    await stack.temporal.workflow.getHandle(workflowId).describe();
    return true;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}

const RECORDED_KINDS = [
  { apiVersion: 'v1', kind: 'Namespace' },
  { apiVersion: 'apps/v1', kind: 'Deployment' },
  { apiVersion: 'v1', kind: 'Service' },
  { apiVersion: 'v1', kind: 'ConfigMap' },
  { apiVersion: 'v1', kind: 'Secret' },
  { apiVersion: 'batch/v1', kind: 'Job' },
] as const;

async function recorded(stack: TestStack, where: ReturnType<typeof touched>): Promise<Recorded> {
  const { namespaces, apps } = where;
  const ours = (id: string) =>
    namespaces.some(
      (ns) => id === catalogWorkflowId(ns) || id.startsWith(`app/${ns}/`) || id.startsWith(`rev/${ns}/`),
    );
  const workflows: string[] = [];
  for await (const wf of stack.temporal.workflow.list())
    if (ours(wf.workflowId)) workflows.push(wf.workflowId);
  const entities: Recorded['entities'] = {};
  const listed: Recorded['listed'] = {};
  for (const { namespace, name } of apps) {
    const key = appKey(namespace, name);
    entities[key] = (await exists(stack, applicationWorkflowId(namespace, name)))
      ? (await stack.client.listRevisions({ namespace, name })).length
      : 'absent';
    listed[key] = [];
    for await (const wf of stack.temporal.workflow.list({ query: `RevelaApp="${key}"` }))
      listed[key].push(wf.workflowId);
  }
  const catalogs: Recorded['catalogs'] = {};
  for (const ns of namespaces)
    catalogs[ns] = (await exists(stack, catalogWorkflowId(ns))) ? 'present' : 'absent';
  const objects: string[] = [];
  // Every object a test namespace holds, of the kinds Revela writes, on every real cluster.
  for (const cluster of stack.clusters.names) {
    for (const type of RECORDED_KINDS) {
      for (const o of await stack.clusters.list(cluster, type)) {
        const ns = o.kind === 'Namespace' ? o.metadata.name : o.metadata.namespace;
        if (ns !== undefined && namespaces.includes(ns)) {
          objects.push(`${cluster} ${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}@${written(o)}`);
        }
      }
    }
  }
  return { workflows: workflows.sort(), entities, catalogs, listed, objects: objects.sort() };
}

/**
 * What a write by Revela changes on an object: its generation (the spec) and the apply time it
 * stamps. Not the resourceVersion: the real Deployment controller bumps it with every status update.
 * Objects without a generation (ConfigMaps, Namespaces) have no controller writing them.
 */
function written(o: {
  metadata: { generation?: number; resourceVersion?: string; annotations?: Record<string, string> };
}): string {
  const version =
    o.metadata.generation !== undefined
      ? `gen${o.metadata.generation}`
      : `rv${o.metadata.resourceVersion ?? ''}`;
  return `${version} applied-at=${o.metadata.annotations?.[ANNOTATION_APPLIED_AT] ?? '-'}`;
}

/** Nothing at all: what a refused first request leaves behind. */
function nothing(where: ReturnType<typeof touched>): Recorded {
  return {
    workflows: [],
    entities: Object.fromEntries(where.apps.map((a) => [appKey(a.namespace, a.name), 'absent' as const])),
    catalogs: Object.fromEntries(where.namespaces.map((ns) => [ns, 'absent' as const])),
    listed: Object.fromEntries(where.apps.map((a) => [appKey(a.namespace, a.name), []])),
    objects: [],
  };
}

/** The error's type: a model error's `type`, a rejection's `type`. */
function typeOf(err: unknown): string | undefined {
  if (isRevelaError(err)) return err.type;
  if (err instanceof RequestRejectedError) return err.type;
  return undefined;
}

function expectError(err: unknown, c: BadCase): void {
  expect(err, `${c.file} was accepted`).toBeInstanceOf(Error);
  const e = err as Error & { object?: string; path?: string };
  expect({ type: typeOf(err), message: e.message }).toEqual({
    type: c.type,
    message: expect.stringContaining(c.message) as unknown,
  });
  if (c.object !== undefined) expect(e.object).toBe(c.object);
  if (c.path !== undefined) expect(e.path).toBe(c.path);
}

async function failure(fn: () => unknown): Promise<unknown> {
  try {
    await fn();
  } catch (err) {
    return err;
  }
  return undefined;
}

describe('the bad-input corpus (test/fixtures/bad)', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('indexes every fixture file once, with at least 40 cases in every category the issue names', () => {
    const files = readdirSync(FIXTURES)
      .filter((f) => f.endsWith('.yaml') && f !== 'cases.yaml')
      .sort();
    expect(CASES.map((c) => c.file).sort()).toEqual(files);
    expect(CASES.length).toBeGreaterThanOrEqual(40);
    expect(new Set(CASES.map((c) => c.category))).toEqual(
      new Set([
        'yaml',
        'schema',
        'references',
        'cycles',
        'parameters',
        'templates',
        'size',
        'clusters',
        'duplicates',
        'names',
        'batches',
        'publish-version',
      ]),
    );
  });

  it.each(
    CASES.map(
      (c) =>
        [
          `${c.category}: ${c.says} (${c.file}) is refused with ${c.type}, and nothing is recorded`,
          c,
        ] as const,
    ),
  )('%s', async (_, c) => {
    const text = readFileSync(join(FIXTURES, c.file), 'utf8');
    const where = touched(c, text);

    if (c.setup === 'apply') {
      const [published] = await stack.client.apply(parseYamlDocuments(text, c.file));
      expect(published?.revision?.revision).toBe('shop-v1');
      await stack.client.waitForRevision(where.apps[0] ?? { name: 'shop' }, 'shop-v1', {
        until: ['Succeeded'],
        timeoutMs: 60_000,
      });
    }
    const before = c.setup === undefined ? nothing(where) : await recorded(stack, where);

    let err: unknown;
    if (c.publishVersion !== undefined) {
      const [app] = parseYamlDocuments(text, c.file);
      const publishVersion =
        typeof c.publishVersion === 'string' ? c.publishVersion : '9'.repeat(c.publishVersion.repeat);
      err = await failure(() =>
        stack.client.publish({
          app: app as Extract<RevelaDocument, { kind: 'Application' }>,
          publishVersion,
        }),
      );
    } else {
      // The loader refuses what it can (syntax, shapes, names); the client refuses the rest before
      // sending anything. A program that skips the loader gets the same answer from the client.
      err = await failure(async () => stack.client.apply(parseYamlDocuments(text, c.file)));
      if (c.type !== 'YamlSyntax' && isRevelaError(err) && err.type === 'InvalidDocument' && 'file' in err) {
        const fromClient = await failure(() => stack.client.apply(rawDocuments(text) as RevelaDocument[]));
        expect(typeOf(fromClient)).toBe(c.type);
        expect((fromClient as Error).message).toContain(c.message.replace(/ \(in .*$/, ''));
      }
    }
    expectError(err, c);
    expect(await recorded(stack, where)).toEqual(before);
  });
});

describe('a client without a kubeconfig', () => {
  // Without a kubeconfig (a CI client, the usual case) the client cannot check placement or read
  // the objects ref-objects names; it still renders every step against the clusters the
  // application names, so template and rendered-object errors never leave the client.
  const CLIENT_SIDE = [
    'template-fails-at-evaluation.yaml',
    'template-output-not-an-object.yaml',
    'name-k8s-object-illegal.yaml',
    'name-label-value-illegal.yaml',
  ];
  // The rest is refused by the worker's resolve activity, before a revision number is taken: the
  // entity exists (update-with-start created it), with no revision, no revision workflow and
  // nothing applied.
  const WORKER_SIDE = [
    'cluster-topology-unknown.yaml',
    'cluster-label-selector-matches-nothing.yaml',
    'cluster-apply-component-unknown.yaml',
    'cluster-ref-objects-unknown.yaml',
    'ref-objects-missing-object.yaml',
  ];
  let stack: TestStack;
  let blind: RevelaClient;
  beforeAll(async () => {
    stack = await startTestStack();
    blind = await RevelaClient.connect({
      address: stack.env.TEMPORAL_ADDRESS,
      temporalNamespace: stack.namespace,
      taskQueue: stack.taskQueue,
      engine: FAST_ENGINE,
      clusters: { kubeconfigPath: join(FIXTURES, 'no-such-kubeconfig') },
      // The stack's worker may not have polled yet; what this client lacks is clusters, not a worker.
      requireWorker: false,
      env: {},
    });
  });
  afterAll(async () => {
    await blind?.close();
    await stack?.stop();
  });

  it.each(
    CASES.filter((c) => CLIENT_SIDE.includes(c.file)).map(
      (c) => [`still refuses ${c.says} (${c.file}) with ${c.type} before sending anything`, c] as const,
    ),
  )('%s', async (_, c) => {
    const text = readFileSync(join(FIXTURES, c.file), 'utf8');
    const where = touched(c, text);
    expectError(await failure(() => blind.apply(parseYamlDocuments(text, c.file))), c);
    expect(await recorded(stack, where)).toEqual(nothing(where));
  });

  it.each(
    CASES.filter((c) => WORKER_SIDE.includes(c.file)).map(
      (c) =>
        [
          `leaves ${c.says} (${c.file}) to the worker, which rejects it as ${c.type} with the same message, object and path; no revision is recorded`,
          c,
        ] as const,
    ),
  )('%s', async (_, c) => {
    const text = readFileSync(join(FIXTURES, c.file), 'utf8');
    const where = touched(c, text);
    const err = await failure(() => blind.apply(parseYamlDocuments(text, c.file)));
    expect(err).toBeInstanceOf(RequestRejectedError);
    expectError(err, c);
    const after = await recorded(stack, where);
    const app = where.apps[0] ?? { namespace: '', name: '' };
    expect(after).toEqual({
      ...nothing(where),
      workflows: [applicationWorkflowId(app.namespace, app.name)],
      entities: { [appKey(app.namespace, app.name)]: 0 },
      // The entity shows in the UI as the application's, with no revision.
      listed: after.listed,
    });
    expect(after.listed[appKey(app.namespace, app.name)]?.every((id) => !id.startsWith('rev/'))).toBe(true);
  });
});
