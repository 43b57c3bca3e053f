/**
 * Diffs in KubeVela's `vela live-diff` format: per object a header
 * (`* Application (podinfo) has been modified(*)`, `* External Policy (x) has no change`) and a
 * YAML diff with `+ `, `- ` and two-space prefixes, `  ...` where unchanged lines are elided.
 * `liveDiff` compares what defines a revision (the application, its external policies and
 * workflow, the objects it reads); `diffRendered` compares rendered resources per cluster.
 *
 * Not workflow-safe (jsdiff, yaml).
 */
import { diffArrays } from 'diff';
import { stringify } from 'yaml';
import { externalPolicyNames } from './app-references.js';
import { withPublishVersion, type Application } from './application.js';
import { canonicalJson, sortKeysDeep } from './canonical-json.js';
import type { CatalogView } from './catalog-view.js';
import type { KubeObject } from './kube-object.js';
import { LABEL_APP_REVISION, LABEL_REVISION } from './labels.js';
import type { Policy } from './policy.js';
import { renderedResourceKey, type RenderedResource } from './rendered-resource.js';
import { sanitizeReferencedObject } from './snapshot-builder.js';
import type { ReferencedObject, RevisionSnapshot } from './snapshot.js';
import type { Workflow } from './workflow.js';

/** One side of a live-diff: a revision, or a draft resolved against the current catalog. */
export interface DiffInput {
  application: Application;
  externalPolicies: Record<string, Policy>;
  externalWorkflow?: Workflow;
  referencedObjects?: ReferencedObject[];
}

export type DiffChange = 'added' | 'modified' | 'removed' | 'unchanged';
export type LiveDiffKind = 'Application' | 'External Policy' | 'External Workflow' | 'Referred Object';

export interface LiveDiffEntry {
  kind: LiveDiffKind;
  name: string;
  change: DiffChange;
  /** Diff lines with `+ `, `- ` or `  ` prefixes (and `  ...` for elided context). */
  lines: string[];
}

export interface LiveDiffReport {
  entries: LiveDiffEntry[];
}

export interface DiffOptions {
  /**
   * Unchanged lines shown around each change, as `vela live-diff -c N`; negative or absent shows
   * whole documents. @default -1
   */
  context?: number;
}

export interface RenderedDiffOptions extends DiffOptions {
  /** Ignore the `app.oam.dev/revision` and `app.oam.dev/appRevision` labels, which differ between any two revisions. @default true */
  ignoreRevisionLabel?: boolean;
}

export interface RenderedDiffEntry {
  cluster: string;
  /** The object's kind, e.g. `Deployment`. */
  kind: string;
  apiVersion: string;
  namespace?: string;
  objectName: string;
  /** The component that renders it (in the target, or in the base for removed objects). */
  component: string;
  /** `hangzhou1/examples/podinfo`. */
  name: string;
  change: DiffChange;
  lines: string[];
}

export interface RenderedDiffReport {
  entries: RenderedDiffEntry[];
}

const ELISION = '  ...';

const MESSAGES: Record<DiffChange, string> = {
  added: 'has been added(+)',
  modified: 'has been modified(*)',
  removed: 'has been removed(-)',
  unchanged: 'has no change',
};

/**
 * YAML as `kubectl`/KubeVela print it: keys sorted, lists not indented under their key, no line
 * folding.
 */
export function toDiffYaml(value: unknown): string {
  return stringify(sortKeysDeep(value), { indentSeq: false, lineWidth: 0, sortMapEntries: true });
}

function yamlLines(value: unknown): string[] {
  const lines = toDiffYaml(value).split('\n');
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Full diff lines of two YAML renderings (either may be absent: added or removed). */
function diffLines(base: unknown, target: unknown): { change: DiffChange; lines: string[] } {
  if (base === undefined) return { change: 'added', lines: yamlLines(target).map((l) => `+ ${l}`) };
  if (target === undefined) return { change: 'removed', lines: yamlLines(base).map((l) => `- ${l}`) };
  // Most objects of two revisions are equal: skip the YAML and the line diff for them.
  if (canonicalJson(base) === canonicalJson(target)) return { change: 'unchanged', lines: [] };
  const a = yamlLines(base);
  const b = yamlLines(target);
  const lines: string[] = [];
  let changed = false;
  for (const part of diffArrays(a, b)) {
    const prefix = part.added ? '+ ' : part.removed ? '- ' : '  ';
    if (part.added || part.removed) changed = true;
    for (const line of part.value) lines.push(`${prefix}${line}`);
  }
  return { change: changed ? 'modified' : 'unchanged', lines };
}

function isChangeLine(line: string): boolean {
  return line.startsWith('+ ') || line.startsWith('- ');
}

/**
 * Keeps the lines within `context` lines of a change and replaces each run of the others by one
 * `  ...` line (KubeVela's `printDiffs`). Negative context keeps everything.
 */
export function elideContext(lines: readonly string[], context: number | undefined): string[] {
  if (context === undefined || context < 0) return [...lines];
  const distance = new Array<number>(lines.length).fill(Number.MAX_SAFE_INTEGER);
  let last = -1;
  lines.forEach((line, i) => {
    if (isChangeLine(line)) last = i;
    if (last !== -1) distance[i] = i - last;
  });
  last = -1;
  for (let i = lines.length - 1; i >= 0; i--) {
    if (isChangeLine(lines[i] ?? '')) last = i;
    if (last !== -1) distance[i] = Math.min(distance[i] ?? Number.MAX_SAFE_INTEGER, last - i);
  }
  const out: string[] = [];
  let skipping = false;
  lines.forEach((line, i) => {
    if ((distance[i] ?? Number.MAX_SAFE_INTEGER) <= context) {
      out.push(line);
      skipping = false;
    } else if (!skipping) {
      out.push(ELISION);
      skipping = true;
    }
  });
  return out;
}

function entry<K extends string>(
  kind: K,
  name: string,
  base: unknown,
  target: unknown,
  options: DiffOptions,
): {
  kind: K;
  name: string;
  change: DiffChange;
  lines: string[];
} {
  const { change, lines } = diffLines(base, target);
  return { kind, name, change, lines: change === 'unchanged' ? [] : elideContext(lines, options.context) };
}

/** The application as live-diff compares it: no status, no publishVersion annotation. */
function comparableApplication(app: Application): Application {
  const copy = withPublishVersion(app, undefined);
  const { status: _status, ...rest } = copy;
  return rest;
}

/** External policy names in the order the application references them, then the rest by name. */
function policyOrder(input: DiffInput): string[] {
  const referenced = externalPolicyNames(input.application, input.externalWorkflow).filter(
    (n) => n in input.externalPolicies,
  );
  const rest = Object.keys(input.externalPolicies)
    .filter((n) => !referenced.includes(n))
    .sort();
  return [...referenced, ...rest];
}

function union(first: readonly string[], second: readonly string[]): string[] {
  return [...first, ...second.filter((x) => !first.includes(x))];
}

function referredObjectName(r: ReferencedObject): string {
  const { apiVersion, kind, metadata } = r.object;
  return `${apiVersion} ${kind} ${r.cluster}/${metadata.namespace === undefined ? '' : `${metadata.namespace}/`}${metadata.name}`;
}

/**
 * Compares two revisions, or a revision (`base`) with a draft (`target`), as `vela live-diff`:
 * the application (ignoring the publishVersion annotation), each external policy, the external
 * workflow and each referred object.
 */
export function liveDiff(base: DiffInput, target: DiffInput, options: DiffOptions = {}): LiveDiffReport {
  const entries: LiveDiffEntry[] = [];
  entries.push(
    entry(
      'Application',
      target.application.metadata.name,
      comparableApplication(base.application),
      comparableApplication(target.application),
      options,
    ),
  );
  for (const name of union(policyOrder(base), policyOrder(target))) {
    entries.push(
      entry('External Policy', name, base.externalPolicies[name], target.externalPolicies[name], options),
    );
  }
  const baseWorkflow = base.externalWorkflow;
  const targetWorkflow = target.externalWorkflow;
  if (baseWorkflow && targetWorkflow && baseWorkflow.metadata.name === targetWorkflow.metadata.name) {
    entries.push(
      entry('External Workflow', targetWorkflow.metadata.name, baseWorkflow, targetWorkflow, options),
    );
  } else {
    if (baseWorkflow)
      entries.push(entry('External Workflow', baseWorkflow.metadata.name, baseWorkflow, undefined, options));
    if (targetWorkflow)
      entries.push(
        entry('External Workflow', targetWorkflow.metadata.name, undefined, targetWorkflow, options),
      );
  }
  const baseObjects = new Map((base.referencedObjects ?? []).map((r) => [referredObjectName(r), r.object]));
  const targetObjects = new Map(
    (target.referencedObjects ?? []).map((r) => [referredObjectName(r), r.object]),
  );
  for (const name of union([...baseObjects.keys()], [...targetObjects.keys()])) {
    entries.push(entry('Referred Object', name, baseObjects.get(name), targetObjects.get(name), options));
  }
  return { entries };
}

function formatEntries(
  entries: readonly { kind: string; name: string; change: DiffChange; lines: string[] }[],
  options: DiffOptions,
): string {
  const out: string[] = [];
  for (const e of entries) {
    out.push(`* ${e.kind} (${e.name}) ${MESSAGES[e.change]}`);
    if (e.change !== 'unchanged') out.push(...elideContext(e.lines, options.context));
  }
  return out.length === 0 ? '' : `${out.join('\n')}\n`;
}

/** The report as `vela live-diff` prints it (without colours). */
export function formatLiveDiff(report: LiveDiffReport, options: DiffOptions = {}): string {
  return formatEntries(report.entries, options);
}

/** True when anything was added, modified or removed. */
export function hasChanges(report: { entries: readonly { change: DiffChange }[] }): boolean {
  return report.entries.some((e) => e.change !== 'unchanged');
}

/** The live-diff side of a revision. */
export function diffInputFromSnapshot(snapshot: RevisionSnapshot): DiffInput {
  const input: DiffInput = {
    application: snapshot.application,
    externalPolicies: snapshot.externalPolicies,
    referencedObjects: snapshot.referencedObjects,
  };
  if (snapshot.externalWorkflow) input.externalWorkflow = snapshot.externalWorkflow;
  return input;
}

/**
 * The live-diff side of a draft: the external workflow and policies it names, as the catalog has
 * them now (missing ones are left out; publishing would report them).
 */
export function diffInputFromDraft(
  application: Application,
  catalog: Pick<CatalogView, 'policies' | 'workflows'>,
  referencedObjects: readonly { cluster: string; object: KubeObject }[] = [],
): DiffInput {
  const ref = application.spec.workflow?.ref;
  const hasInlineSteps = (application.spec.workflow?.steps?.length ?? 0) > 0;
  const externalWorkflow = ref !== undefined && !hasInlineSteps ? catalog.workflows[ref] : undefined;
  const externalPolicies: Record<string, Policy> = {};
  for (const name of externalPolicyNames(application, externalWorkflow)) {
    const policy = catalog.policies[name];
    if (policy) externalPolicies[name] = policy;
  }
  const input: DiffInput = {
    application,
    externalPolicies,
    referencedObjects: referencedObjects.map((r) => ({
      cluster: r.cluster,
      object: sanitizeReferencedObject(r.object),
    })),
  };
  if (externalWorkflow) input.externalWorkflow = externalWorkflow;
  return input;
}

function withoutRevisionLabel(object: KubeObject): KubeObject {
  const labels = { ...(object.metadata.labels ?? {}) };
  delete labels[LABEL_REVISION];
  delete labels[LABEL_APP_REVISION];
  const metadata: KubeObject['metadata'] = { ...object.metadata, labels };
  if (Object.keys(labels).length === 0) delete metadata.labels;
  return { ...object, metadata };
}

function renderedName(resource: RenderedResource): string {
  const { metadata } = resource.object;
  return `${resource.cluster}/${metadata.namespace === undefined ? '' : `${metadata.namespace}/`}${metadata.name}`;
}

/**
 * Compares rendered resources per cluster and object: target order first (cluster, component,
 * workload first), removed objects after, grouped by cluster.
 */
export function diffRendered(
  base: readonly RenderedResource[],
  target: readonly RenderedResource[],
  options: RenderedDiffOptions = {},
): RenderedDiffReport {
  const normalize = options.ignoreRevisionLabel === false ? (o: KubeObject) => o : withoutRevisionLabel;
  const baseByKey = new Map(base.map((r) => [renderedResourceKey(r), r]));
  const targetByKey = new Map(target.map((r) => [renderedResourceKey(r), r]));
  const keys = union([...targetByKey.keys()], [...baseByKey.keys()]);
  const entries = keys.map((key, seq) => {
    const before = baseByKey.get(key);
    const after = targetByKey.get(key);
    const resource = (after ?? before) as RenderedResource;
    const e = entry(
      resource.object.kind,
      renderedName(resource),
      before ? normalize(before.object) : undefined,
      after ? normalize(after.object) : undefined,
      options,
    );
    const result: RenderedDiffEntry = {
      cluster: resource.cluster,
      kind: resource.object.kind,
      apiVersion: resource.object.apiVersion,
      objectName: resource.object.metadata.name,
      component: resource.component,
      name: e.name,
      change: e.change,
      lines: e.lines,
    };
    if (resource.object.metadata.namespace !== undefined)
      result.namespace = resource.object.metadata.namespace;
    return { result, seq };
  });
  entries.sort((a, b) =>
    a.result.cluster < b.result.cluster ? -1 : a.result.cluster > b.result.cluster ? 1 : a.seq - b.seq,
  );
  return { entries: entries.map((e) => e.result) };
}

/** `* Deployment (hangzhou1/examples/podinfo) has been modified(*)` and the YAML diff. */
export function formatRenderedDiff(report: RenderedDiffReport, options: DiffOptions = {}): string {
  return formatEntries(report.entries, options);
}
