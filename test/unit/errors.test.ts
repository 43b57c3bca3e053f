import { describe, expect, it } from 'vitest';
import { loadBuiltinDefinitions } from '../../definitions/index.js';
import type { Application } from '../../model/application.js';
import { mergeCatalogs, type CatalogView } from '../../model/catalog-view.js';
import type { ClusterInfo } from '../../model/cluster-info.js';
import type { ComponentDefinition } from '../../model/definition.js';
import { parseDocument } from '../../model/document.js';
import {
  DependencyCycleError,
  DuplicateNameError,
  InvalidDocumentError,
  InvalidParametersError,
  MissingReferenceError,
  NoClusterMatchesError,
  REVELA_ERROR_TYPES,
  RevelaError,
  SnapshotTooLargeError,
  TemplateError,
  TraitNotApplicableError,
  UnknownClusterError,
  UnknownDefinitionError,
  YamlSyntaxError,
  isRevelaError,
} from '../../model/errors.js';
import { parseYamlDocuments } from '../../model/loader.js';
import { resolvePlacement } from '../../model/placement.js';
import { renderTargets } from '../../model/render.js';
import { buildSnapshot } from '../../model/snapshot-builder.js';
import { podinfoApp, podinfoCatalog, podinfoClusters } from './helpers/podinfo.js';

/** An application from YAML (namespace `examples`). */
function app(yaml: string): Application {
  const [doc] = parseYamlDocuments(
    `apiVersion: core.oam.dev/v1beta1\nkind: Application\nmetadata:\n  name: shop\n  namespace: examples\n${yaml}`,
  );
  if (doc?.kind !== 'Application') throw new Error('not an application');
  return doc;
}

function build(application: Application, catalog: CatalogView = podinfoCatalog()): void {
  buildSnapshot({ application, catalog });
}

/** Runs `fn` and returns what it throws (failing the test when it does not throw). */
async function caught(fn: () => unknown): Promise<RevelaError> {
  try {
    await fn();
  } catch (e) {
    if (e instanceof RevelaError) return e;
    throw e;
  }
  throw new Error('expected an error');
}

describe('every model error', () => {
  it('a YAML syntax error names the file, the document, the line and the column', async () => {
    const e = await caught(() =>
      parseYamlDocuments('kind: Policy\n---\nkind: Policy\nmetadata:\n  name: a: b\n', 'policies.yaml'),
    );
    expect(e).toBeInstanceOf(YamlSyntaxError);
    expect(e.type).toBe('YamlSyntax');
    expect(e.object).toBe('policies.yaml');
    expect(e.path).toBe('document 2, line 5, column 9');
    expect(e).toMatchObject({ file: 'policies.yaml', documentIndex: 1, line: 5, col: 9 });
    expect(e.message).toBe(
      'policies.yaml: document 2, line 5, column 9: Nested mappings are not allowed in compact mappings',
    );
  });

  it('an invalid component name is an InvalidDocument error naming spec.components[0].name, the file and the document', async () => {
    const text =
      'apiVersion: core.oam.dev/v1beta1\nkind: Application\nmetadata: {name: shop, namespace: examples}\nspec:\n  components:\n    - {name: Web_1, type: webservice}\n';
    const e = await caught(() => parseYamlDocuments(`---\n${text}`, 'app.yaml'));
    expect(e).toBeInstanceOf(InvalidDocumentError);
    expect(e.type).toBe('InvalidDocument');
    expect(e.object).toBe('Application examples/shop');
    expect(e.path).toBe('spec.components[0].name');
    expect(e.message).toBe(
      "Application examples/shop: spec.components[0].name: must be a lowercase RFC 1123 label: at most 63 lower case alphanumeric characters or '-', starting and ending with an alphanumeric character (e.g. 'my-name' or '123-abc') (in app.yaml, document 1)",
    );
  });

  it('a missing field, a misspelt field and an unknown kind are InvalidDocument errors with their paths', async () => {
    const missing = await caught(() =>
      parseDocument({
        apiVersion: 'core.oam.dev/v1beta1',
        kind: 'Application',
        metadata: { name: 'a' },
        spec: {},
      }),
    );
    expect(missing.message).toBe('Application default/a: spec.components: is required (expected array)');
    const misspelt = await caught(() =>
      parseDocument({
        apiVersion: 'core.oam.dev/v1beta1',
        kind: 'Application',
        metadata: { name: 'a' },
        spec: { components: [], polices: [] },
      }),
    );
    expect(misspelt.path).toBe('spec.polices');
    expect(misspelt.message).toBe(
      'Application default/a: spec.polices: is not a known field; check the spelling and indentation',
    );
    const kind = await caught(() =>
      parseDocument(
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } },
        { file: 'x.yaml', index: 2 },
      ),
    );
    expect(kind.message).toBe(
      'ConfigMap x: kind: unknown kind "ConfigMap"; Revela reads Application, Policy, Workflow, ComponentDefinition, TraitDefinition, PolicyDefinition, WorkflowStepDefinition (in x.yaml, document 3)',
    );
  });

  it('an unknown component type is an UnknownDefinition error naming spec.components[0].type', async () => {
    const e = await caught(() =>
      build(app('spec:\n  components:\n    - {name: web, type: webservise, properties: {image: nginx}}\n')),
    );
    expect(e).toBeInstanceOf(UnknownDefinitionError);
    expect(e.type).toBe('UnknownDefinition');
    expect(e.path).toBe('spec.components[0].type');
    expect(e.message).toBe(
      'Application examples/shop: spec.components[0].type: unknown component type "webservise": no ComponentDefinition named "webservise" in the catalog; known: cron-task, daemon, k8s-objects, ref-objects, statefulset, task, webservice, worker',
    );
  });

  it('unknown trait, policy and step types are UnknownDefinition errors naming their type fields', async () => {
    const trait = await caught(() =>
      build(
        app(
          'spec:\n  components:\n    - name: web\n      type: webservice\n      properties: {image: nginx}\n      traits: [{type: scaler}, {type: autoscaler}]\n',
        ),
      ),
    );
    expect(trait.path).toBe('spec.components[0].traits[1].type');
    expect(trait.reason).toMatch(/^unknown trait type "autoscaler": no TraitDefinition named "autoscaler"/);
    const policy = await caught(() =>
      build(
        app(
          'spec:\n  components: []\n  policies: [{name: gc, type: garbage-collect}, {name: x, type: canary}]\n',
        ),
      ),
    );
    expect(policy.path).toBe('spec.policies[1].type');
    expect(policy.reason).toMatch(/^unknown policy type "canary"/);
    const step = await caught(() =>
      build(app('spec:\n  components: []\n  workflow:\n    steps: [{name: notify, type: send-fax}]\n')),
    );
    expect(step.path).toBe('spec.workflow.steps[0].type');
    expect(step.reason).toMatch(/^unknown workflow step type "send-fax"/);
  });

  it('a scaler on a task is a TraitNotApplicable error naming the trait', async () => {
    const e = await caught(() =>
      build(
        app(
          'spec:\n  components:\n    - name: migrate\n      type: task\n      properties: {image: flyway}\n      traits: [{type: scaler, properties: {replicas: 2}}]\n',
        ),
      ),
    );
    expect(e).toBeInstanceOf(TraitNotApplicableError);
    expect(e.type).toBe('TraitNotApplicable');
    expect(e.path).toBe('spec.components[0].traits[0].type');
    expect(e.message).toBe(
      'Application examples/shop: spec.components[0].traits[0].type: trait "scaler" does not apply to components of type "task"; it applies to: deployments.apps, statefulsets.apps',
    );
  });

  it('a missing external policy is a MissingReference error naming the workflow step that uses it', async () => {
    const catalog = podinfoCatalog();
    delete catalog.policies['override-high-availability'];
    const e = await caught(() => build(podinfoApp(), catalog));
    expect(e).toBeInstanceOf(MissingReferenceError);
    expect(e.type).toBe('MissingReference');
    expect(e.object).toBe('Workflow examples/make-release-in-hangzhou');
    expect(e.path).toBe('steps[0].properties.policies[1]');
    expect(e.message).toBe(
      'Workflow examples/make-release-in-hangzhou: steps[0].properties.policies[1]: step "deploy-hangzhou" names policy "override-high-availability", which is neither in spec.policies nor an external Policy in namespace examples — apply the Policy first or fix the name',
    );
  });

  it('a missing external workflow is a MissingReference error naming spec.workflow.ref', async () => {
    const catalog = podinfoCatalog();
    delete catalog.workflows['make-release-in-hangzhou'];
    const e = await caught(() => build(podinfoApp(), catalog));
    expect(e.path).toBe('spec.workflow.ref');
    expect(e.message).toBe(
      'Application examples/podinfo: spec.workflow.ref: external Workflow "make-release-in-hangzhou" does not exist in namespace examples — apply it first or fix the name',
    );
  });

  it('two components with one name are a DuplicateName error naming the second', async () => {
    const e = await caught(() =>
      build(
        app(
          'spec:\n  components:\n    - {name: web, type: webservice, properties: {image: a}}\n    - {name: web, type: worker, properties: {image: b}}\n',
        ),
      ),
    );
    expect(e).toBeInstanceOf(DuplicateNameError);
    expect(e.type).toBe('DuplicateName');
    expect(e.path).toBe('spec.components[1].name');
    expect(e.message).toBe(
      'Application examples/shop: spec.components[1].name: component "web" is defined more than once; names must be unique',
    );
  });

  it('a sub-step named like a step is a DuplicateName error', async () => {
    const e = await caught(() =>
      build(
        app(
          'spec:\n  components: []\n  workflow:\n    steps:\n      - name: wait\n        type: step-group\n        subSteps: [{name: wait, type: suspend}]\n',
        ),
      ),
    );
    expect(e.path).toBe('spec.workflow.steps[0].subSteps[0].name');
    expect(e.reason).toBe('step "wait" is defined more than once; names must be unique');
  });

  it('components depending on each other are a DependencyCycle error showing the cycle', async () => {
    const e = await caught(() =>
      build(
        app(
          'spec:\n  components:\n    - {name: api, type: worker, properties: {image: a}, dependsOn: [db]}\n    - {name: db, type: worker, properties: {image: b}, dependsOn: [api]}\n',
        ),
      ),
    );
    expect(e).toBeInstanceOf(DependencyCycleError);
    expect(e.type).toBe('DependencyCycle');
    expect(e.path).toBe('spec.components[0].dependsOn');
    expect(e.message).toBe(
      'Application examples/shop: spec.components[0].dependsOn: components depend on each other in a cycle: api → db → api',
    );
  });

  it('DAG steps depending on each other are a DependencyCycle error', async () => {
    const e = await caught(() =>
      build(
        app(
          'spec:\n  components: []\n  workflow:\n    mode: {steps: DAG}\n    steps:\n      - {name: a, type: suspend, dependsOn: [c]}\n      - {name: b, type: suspend, dependsOn: [a]}\n      - {name: c, type: suspend, dependsOn: [b]}\n',
        ),
      ),
    );
    expect(e.path).toBe('spec.workflow.steps[0].dependsOn');
    expect(e.reason).toBe('steps depend on each other in a cycle: a → c → b → a');
  });

  it('a negative replica count is an InvalidParameters error naming the property', async () => {
    const e = await caught(() =>
      build(
        app(
          'spec:\n  components:\n    - name: web\n      type: webservice\n      properties: {image: nginx}\n      traits: [{type: labels}, {type: scaler, properties: {replicas: -1}}]\n',
        ),
      ),
    );
    expect(e).toBeInstanceOf(InvalidParametersError);
    expect(e.type).toBe('InvalidParameters');
    expect(e.path).toBe('spec.components[0].traits[1].properties.replicas');
    expect(e.message).toBe(
      'Application examples/shop: spec.components[0].traits[1].properties.replicas: must be >= 0',
    );
  });

  it('a missing image and an unknown property are InvalidParameters errors', async () => {
    const missing = await caught(() =>
      build(app('spec:\n  components:\n    - {name: web, type: webservice, properties: {}}\n')),
    );
    expect(missing.message).toBe(
      'Application examples/shop: spec.components[0].properties.image: is required',
    );
    const unknown = await caught(() =>
      build(
        app('spec:\n  components:\n    - {name: web, type: worker, properties: {image: a, replica: 2}}\n'),
      ),
    );
    expect(unknown.path).toBe('spec.components[0].properties.replica');
    expect(unknown.reason).toBe(
      'is not a parameter of worker; known: annotations, args, cmd, cpu, env, hostAliases, image, imagePullPolicy, imagePullSecrets, labels, limit, livenessProbe, memory, readinessProbe, replicas, volumeMounts, volumes',
    );
  });

  it('an override policy that breaks a trait it adds is an InvalidParameters error naming the policy, the component and the step', async () => {
    const catalog = podinfoCatalog();
    const override = catalog.policies['override-high-availability'];
    if (!override) throw new Error('fixture lost its override');
    catalog.policies['override-high-availability'] = {
      ...override,
      properties: {
        components: [{ type: 'webservice', traits: [{ type: 'scaler', properties: { replicas: 'three' } }] }],
      },
    };
    const e = await caught(() => build(podinfoApp(), catalog));
    expect(e.type).toBe('InvalidParameters');
    expect(e.object).toBe('Policy examples/override-high-availability');
    expect(e.path).toBe('properties.components[0].traits[0].properties.replicas');
    expect(e.message).toBe(
      'Policy examples/override-high-availability: properties.components[0].traits[0].properties.replicas: must be integer (for component "podinfo" in step "deploy-hangzhou")',
    );
  });

  it('an override that breaks a trait the application declares is an InvalidParameters error naming the step', async () => {
    const application = app(
      'spec:\n  components:\n    - {name: web, type: worker, properties: {image: a}, traits: [{type: scaler, properties: {replicas: 2}}]}\n' +
        '  policies:\n    - {name: zero, type: override, properties: {components: [{traits: [{type: scaler, properties: {replicas: -2}}]}]}}\n',
    );
    const e = await caught(() => build(application));
    expect(e.message).toBe(
      'Application examples/shop: spec.components[0].traits[0].properties.replicas: must be >= 0 (with the overrides of step "deploy")',
    );
  });

  it('an override that adds a scaler to a task is a TraitNotApplicable error naming the override', async () => {
    const application = app(
      'spec:\n  components:\n    - {name: migrate, type: task, properties: {image: flyway}}\n' +
        '  policies:\n    - {name: scale-all, type: override, properties: {components: [{traits: [{type: scaler}]}]}}\n',
    );
    const e = await caught(() => build(application));
    expect(e.type).toBe('TraitNotApplicable');
    expect(e.message).toBe(
      'Application examples/shop: spec.policies[0].properties.components[0].traits[0].type: trait "scaler" does not apply to components of type "task"; it applies to: deployments.apps, statefulsets.apps (for component "migrate" in step "deploy")',
    );
  });

  it('a template that does not parse is a TemplateError with the JSONata position and token', async () => {
    const broken: ComponentDefinition = {
      apiVersion: 'core.oam.dev/v1beta1',
      kind: 'ComponentDefinition',
      metadata: { name: 'broken', namespace: 'vela-system' },
      spec: { schematic: { jsonata: { parameter: { type: 'object' }, template: '{ "output": }' } } },
    };
    const catalog = mergeCatalogs(loadBuiltinDefinitions(), { componentDefinitions: { broken } });
    const e = await caught(() =>
      build(app('spec:\n  components:\n    - {name: web, type: broken}\n'), catalog),
    );
    expect(e).toBeInstanceOf(TemplateError);
    expect(e.type).toBe('TemplateError');
    expect(e.object).toBe('ComponentDefinition vela-system/broken');
    expect(e.path).toBe('spec.schematic.jsonata.template');
    expect(e).toMatchObject({ definition: 'broken', position: 13, token: '}', code: 'S0211' });
    expect(e.message).toBe(
      'ComponentDefinition vela-system/broken: spec.schematic.jsonata.template: at position 13 near "}": does not parse: The symbol "}" cannot be used as a unary operator (S0211)',
    );
  });

  it('a template that fails while rendering is a TemplateError too', async () => {
    const failing: ComponentDefinition = {
      apiVersion: 'core.oam.dev/v1beta1',
      kind: 'ComponentDefinition',
      metadata: { name: 'failing' },
      spec: {
        schematic: {
          jsonata: {
            parameter: { type: 'object' },
            template: '{ "output": $error("no cluster for " & context.cluster) }',
          },
        },
      },
    };
    const catalog = mergeCatalogs(loadBuiltinDefinitions(), { componentDefinitions: { failing } });
    const snapshot = buildSnapshot({
      application: app('spec:\n  components:\n    - {name: web, type: failing}\n'),
      catalog,
    });
    const e = await caught(() => renderTargets(snapshot, resolvePlacement(snapshot, [], []), 'shop-v1'));
    expect(e.type).toBe('TemplateError');
    expect(e.message).toBe(
      'ComponentDefinition failing: spec.schematic.jsonata.template: at position 19 near "error": fails: no cluster for local (D3137)',
    );
  });

  it('a snapshot over 1 MiB is a SnapshotTooLarge error giving its size', async () => {
    const big = 'x'.repeat(1024 * 1024);
    const application = app(
      'spec:\n  components:\n    - name: blob\n      type: k8s-objects\n      properties:\n        objects: []\n',
    );
    const component = application.spec.components[0];
    if (!component) throw new Error('no component');
    component.properties = {
      objects: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'blob' }, data: { big } }],
    };
    const e = await caught(() => build(application));
    expect(e).toBeInstanceOf(SnapshotTooLargeError);
    expect(e.type).toBe('SnapshotTooLarge');
    expect(e.object).toBe('Application examples/shop');
    expect(e.path).toBeUndefined();
    const size = (e as SnapshotTooLargeError).size;
    expect(size).toBeGreaterThan(1024 * 1024);
    expect(e.message).toContain(
      `is ${(size / 1024 / 1024).toFixed(2)} MiB (${size} bytes), above the limit of 1.00 MiB (1048576 bytes)`,
    );
  });

  it('a label selector matching no cluster is a NoClusterMatches error naming the selector', async () => {
    const snapshot = buildSnapshot({ application: podinfoApp(), catalog: podinfoCatalog() });
    const unlabelled: ClusterInfo[] = podinfoClusters().map((c) => ({ name: c.name, labels: {} }));
    const e = await caught(() => resolvePlacement(snapshot, ['topology-hangzhou-clusters'], unlabelled));
    expect(e).toBeInstanceOf(NoClusterMatchesError);
    expect(e.type).toBe('NoClusterMatches');
    expect(e.object).toBe('Policy examples/topology-hangzhou-clusters');
    expect(e.path).toBe('properties.clusterLabelSelector');
    expect(e.message).toBe(
      'Policy examples/topology-hangzhou-clusters: properties.clusterLabelSelector: no cluster matches the label selector region=hangzhou; registered clusters: hangzhou1, hangzhou2, local — label a cluster in the clusters file or change the topology policy',
    );
  });

  it('a topology naming an unregistered cluster is an UnknownCluster error', async () => {
    const snapshot = buildSnapshot({
      application: app(
        'spec:\n  components:\n    - {name: web, type: worker, properties: {image: a}}\n  policies:\n    - {name: where, type: topology, properties: {clusters: [hangzhou1, beijing1]}}\n',
      ),
      catalog: podinfoCatalog(),
    });
    const e = await caught(() => resolvePlacement(snapshot, ['where'], podinfoClusters()));
    expect(e).toBeInstanceOf(UnknownClusterError);
    expect(e.type).toBe('UnknownCluster');
    expect(e.path).toBe('spec.policies[0].properties.clusters[1]');
    expect(e.message).toBe(
      'Application examples/shop: spec.policies[0].properties.clusters[1]: unknown cluster "beijing1"; registered clusters: hangzhou1, hangzhou2, local',
    );
  });

  it('are all listed in REVELA_ERROR_TYPES, recognised by isRevelaError and serialisable', async () => {
    const e = await caught(() => build(app('spec:\n  components:\n    - {name: web, type: nope}\n')));
    expect(REVELA_ERROR_TYPES).toHaveLength(13);
    expect(isRevelaError(e)).toBe(true);
    expect(isRevelaError(new Error('plain'))).toBe(false);
    const crossBundle = Object.assign(new Error('x'), { type: 'UnknownCluster' });
    expect(isRevelaError(crossBundle)).toBe(true);
    expect(JSON.parse(JSON.stringify(e))).toMatchObject({
      type: 'UnknownDefinition',
      object: 'Application examples/shop',
      path: 'spec.components[0].type',
      definitionKind: 'ComponentDefinition',
      definitionName: 'nope',
    });
  });
});
