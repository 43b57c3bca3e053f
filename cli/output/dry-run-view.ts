import { stringify } from 'yaml';
import type { PreflightResult } from '../../client/preflight.js';
import { applicationLabel } from '../../model/application.js';
import type { KubeObject } from '../../model/kube-object.js';

/** One step of one application, its objects grouped by cluster (what `-o json|yaml` prints). */
export interface DryRunStepView {
  step: string;
  type: string;
  clusters: { cluster: string; objects: { component: string; object: KubeObject }[] }[];
}

export interface DryRunView {
  applications: { application: string; revision: string; steps: DryRunStepView[] }[];
}

/** The rendered steps of every application, in input order, clusters by name. */
export function dryRunView(
  results: readonly PreflightResult[],
  revision: (name: string) => string,
): DryRunView {
  return {
    applications: results.map((r) => ({
      application: applicationLabel(r.application),
      revision: revision(r.application.metadata.name),
      steps: r.steps.map((step) => {
        const byCluster = new Map<string, { component: string; object: KubeObject }[]>();
        for (const resource of step.resources) {
          const list = byCluster.get(resource.cluster) ?? [];
          list.push({ component: resource.component, object: resource.object });
          byCluster.set(resource.cluster, list);
        }
        return {
          step: step.step,
          type: step.type,
          clusters: [...byCluster].map(([cluster, objects]) => ({ cluster, objects })),
        };
      }),
    })),
  };
}

/**
 * The default output: one YAML stream that `kubectl apply --dry-run=server -f -` also reads,
 * each object under a comment naming its application, step, cluster and component.
 */
export function formatDryRun(view: DryRunView): string {
  const docs: string[] = [];
  for (const app of view.applications) {
    if (app.steps.every((s) => s.clusters.length === 0)) {
      docs.push(`# ${app.application} (${app.revision}): no step deploys anything`);
    }
    for (const step of app.steps) {
      for (const { cluster, objects } of step.clusters) {
        for (const { component, object } of objects) {
          const where = `# ${app.application} (${app.revision}), step ${step.step} (${step.type}), cluster ${cluster}, component ${component}`;
          docs.push(
            `---\n${where}\n${stringify(object, { lineWidth: 0, aliasDuplicateObjects: false }).trimEnd()}`,
          );
        }
      }
    }
  }
  return docs.join('\n');
}
