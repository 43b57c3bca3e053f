import { buildResourceTree, type ResourceTreeRow } from '../kube/resource-tree.js';
import {
  diffInputFromDraft,
  diffInputFromSnapshot,
  diffRendered,
  formatLiveDiff,
  formatRenderedDiff,
  liveDiff,
  type DiffInput,
} from '../model/diff.js';
import { buildSnapshot } from '../model/snapshot-builder.js';
import type { RevisionSnapshot } from '../model/snapshot.js';
import { renderRevision } from '../model/step-render.js';
import { RequestRejectedError } from './errors.js';
import { readMergedCatalog } from './read-catalog.js';
import type { AppRef, RevelaClient } from './revela-client.js';

/** Options of {@link ClientDiffs.liveDiff}. */
export interface LiveDiffOptions {
  /**
   * One revision: compare the draft with it. Two (`[A, B]`): compare A with B.
   * @default the current revision
   */
  readonly revisions?: readonly string[];
  /** Lines of context around each change (`-c N`). @default whole documents */
  readonly context?: number;
  /** Compare rendered Kubernetes objects per cluster instead of the application documents. */
  readonly rendered?: boolean;
}

/** Draft and revision diffs, computed on the client from snapshots the entity returns. */
export class ClientDiffs {
  constructor(private readonly client: RevelaClient) {}

  /**
   * `vela live-diff`: what publishing the draft would change, against the current revision or
   * a given one; or what changed between two revisions. Returns the report as printed.
   *
   * @example
   * ```ts
   * console.log(await revela.diffs.liveDiff({ name: 'podinfo', namespace: 'examples' }, { context: 2 }));
   * ```
   */
  async liveDiff(ref: AppRef, options: LiveDiffOptions = {}): Promise<string> {
    const revisions = options.revisions ?? [];
    if (revisions.length > 2) {
      throw new RequestRejectedError(
        'InvalidRequest',
        'live-diff takes at most two revisions (--revision A,B)',
      );
    }
    if (revisions.length === 2) {
      return this.diffRevisions(ref, revisions[0] as string, revisions[1] as string, options);
    }
    const { app } = await this.client.status(ref);
    const revision = revisions[0] ?? app.currentRevision?.name;
    if (!revision)
      throw new RequestRejectedError(
        'RevisionNotFound',
        `${app.namespace}/${app.name} has no revision to compare with`,
      );
    if (!app.draft) throw new RequestRejectedError('NoDraft', `${app.namespace}/${app.name} has no draft`);
    const base = (await this.client.getRevision(ref, revision)).snapshot;
    if (options.rendered) {
      const draft = await this.resolveDraft(app.draft, base);
      return this.renderedDiff(base, revision, draft, `${revision} (draft)`, options.context);
    }
    const catalog = await readMergedCatalog(this.client.temporal, app.namespace);
    return this.formatDocuments(
      diffInputFromSnapshot(base),
      diffInputFromDraft(app.draft, catalog, base.referencedObjects),
      options.context,
    );
  }

  /**
   * Compares two retained revisions: their documents, or with `rendered` their objects per
   * cluster (the `app.oam.dev/revision` label is ignored).
   *
   * @example
   * ```ts
   * console.log(await revela.diffs.diffRevisions(app, 'podinfo-v1', 'podinfo-v2', { rendered: true }));
   * ```
   */
  async diffRevisions(
    ref: AppRef,
    base: string,
    target: string,
    options: Pick<LiveDiffOptions, 'context' | 'rendered'> = {},
  ): Promise<string> {
    const [a, b] = await Promise.all([
      this.client.getRevision(ref, base),
      this.client.getRevision(ref, target),
    ]);
    if (options.rendered) return this.renderedDiff(a.snapshot, base, b.snapshot, target, options.context);
    return this.formatDocuments(
      diffInputFromSnapshot(a.snapshot),
      diffInputFromSnapshot(b.snapshot),
      options.context,
    );
  }

  /**
   * `status --tree --detail`: every object the current revision renders, per cluster and
   * namespace, with what is live (`updated`, `outdated`, `not-deployed`) and its details.
   *
   * @example
   * ```ts
   * for (const row of await revela.diffs.resourceTree(app)) console.log(row.cluster, row.resource, row.status);
   * ```
   */
  async resourceTree(ref: AppRef): Promise<ResourceTreeRow[]> {
    const { app } = await this.client.status(ref);
    const current = app.currentRevision;
    if (!current) return [];
    const { snapshot } = await this.client.getRevision(ref, current.name);
    const registry = await this.client.clusterRegistry();
    const resources = await renderRevision(snapshot, current.name, registry.list());
    return buildResourceTree({ registry, resources, revision: current.name });
  }

  private formatDocuments(base: DiffInput, target: DiffInput, context: number | undefined): string {
    const options = context !== undefined ? { context } : {};
    return formatLiveDiff(liveDiff(base, target, options), options);
  }

  private async renderedDiff(
    base: RevisionSnapshot,
    baseName: string,
    target: RevisionSnapshot,
    targetName: string,
    context: number | undefined,
  ): Promise<string> {
    const clusters = (await this.client.clusterRegistry()).list();
    const [a, b] = await Promise.all([
      renderRevision(base, baseName, clusters),
      renderRevision(target, targetName, clusters),
    ]);
    const options = context !== undefined ? { context } : {};
    return formatRenderedDiff(diffRendered(a, b, options), options);
  }

  /** The draft as a snapshot, resolved like a publish would (referenced objects as in `base`). */
  private async resolveDraft(
    draft: RevisionSnapshot['application'],
    base: RevisionSnapshot,
  ): Promise<RevisionSnapshot> {
    const catalog = await readMergedCatalog(this.client.temporal, draft.metadata.namespace ?? 'default');
    return buildSnapshot({ application: draft, catalog, referencedObjects: base.referencedObjects });
  }
}
