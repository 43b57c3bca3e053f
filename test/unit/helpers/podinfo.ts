/**
 * The podinfo scenario of KubeVela's version-control guide (a copy of
 * `examples/podinfo` from the shared reference, kept under test/fixtures so the unit tests run on a
 * clean clone): the application, its external policies and workflow, and the cluster registry.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { loadBuiltinDefinitions } from '../../../definitions/index.js';
import type { Application } from '../../../model/application.js';
import { catalogFromDocuments, mergeCatalogs, type CatalogView } from '../../../model/catalog-view.js';
import type { ClusterInfo } from '../../../model/cluster-info.js';
import { parseYamlDocuments } from '../../../model/loader.js';

export const FIXTURES_DIR = fileURLToPath(new URL('../../fixtures/model/', import.meta.url));
export const PODINFO_DIR = `${FIXTURES_DIR}podinfo/`;

export function readFixture(path: string): string {
  return readFileSync(`${FIXTURES_DIR}${path}`, 'utf8');
}

/** The podinfo Application as the user wrote it (publishVersion alpha1). */
export function podinfoApp(): Application {
  const [doc] = parseYamlDocuments(readFixture('podinfo/app.yaml'), 'podinfo/app.yaml');
  if (doc?.kind !== 'Application') throw new Error('podinfo/app.yaml holds no Application');
  return doc;
}

/** The `examples` namespace catalog: two external policies and the external workflow. */
export function podinfoNamespaceCatalog(): CatalogView {
  return catalogFromDocuments([
    ...parseYamlDocuments(readFixture('podinfo/policies.yaml'), 'podinfo/policies.yaml'),
    ...parseYamlDocuments(readFixture('podinfo/workflow.yaml'), 'podinfo/workflow.yaml'),
  ]);
}

/** Built-ins merged with the `examples` catalog, as the resolve activity would see them. */
export function podinfoCatalog(): CatalogView {
  return mergeCatalogs(loadBuiltinDefinitions(), podinfoNamespaceCatalog());
}

/** `clusters.yaml` as ClusterInfo: local, hangzhou1 and hangzhou2 (region=hangzhou). */
export function podinfoClusters(): ClusterInfo[] {
  const file = parse(readFixture('podinfo/clusters.yaml')) as {
    clusters: { name: string; labels?: Record<string, string> }[];
  };
  return file.clusters.map((c) => ({ name: c.name, labels: c.labels ?? {} }));
}

/** A deep copy of the application with the image of component `podinfo` replaced. */
export function withImage(app: Application, image: string): Application {
  const copy = structuredClone(app);
  const component = copy.spec.components.find((c) => c.name === 'podinfo');
  if (!component) throw new Error('no podinfo component');
  component.properties = { ...component.properties, image };
  return copy;
}
