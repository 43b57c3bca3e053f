import type { ApplyOutcome } from '../../client/revela-client.js';
import type { PublishedRevision } from '../../workflows/messages.js';
import { PLAIN, type Palette } from './palette.js';

/** `published podinfo-v2 (alpha2, hash 4acae1a66013283f), superseding podinfo-v1`. */
export function describePublished(r: PublishedRevision): string {
  const about = [r.publishVersion, `hash ${r.hash}`].filter((p) => p !== undefined).join(', ');
  return `published ${r.revision} (${about})${r.superseded ? `, superseding ${r.superseded}` : ''}`;
}

/**
 * What `apply` and `up` did, one line per document:
 *
 * @example
 * Policy examples/topology-hangzhou-clusters created
 * Workflow examples/make-release-in-hangzhou unchanged
 * Application examples/podinfo: published podinfo-v1 (alpha1, hash 65844934c2d07288)
 */
export function formatApplyOutcomes(outcomes: readonly ApplyOutcome[], palette: Palette = PLAIN): string {
  if (outcomes.length === 0) return 'nothing to apply';
  return outcomes
    .map((o) => {
      if (o.kind !== 'Application') {
        const style = o.result === 'created' ? 'green' : o.result === 'configured' ? 'yellow' : undefined;
        return `${o.kind} ${o.namespace}/${o.name} ${palette.paint(style, o.result)}`;
      }
      const what = o.revision ? describePublished(o.revision) : o.message;
      return `Application ${o.namespace}/${o.name}: ${o.revision ? palette.paint('green', what) : what}`;
    })
    .join('\n');
}
