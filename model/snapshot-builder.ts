/**
 * Builds the immutable revision snapshot of an application: validates everything a revision could
 * trip over later (types, trait applicability, references, names, cycles, parameters, templates,
 * size), records exactly the definitions and external objects it uses, and hashes the content.
 * A snapshot that builds is one that renders.
 *
 * Not workflow-safe (ajv, JSONata, node:crypto): called by the resolve activity.
 */
import {
  STEP_TYPE_APPLY_COMPONENT,
  STEP_TYPE_DEPLOY,
  STEP_TYPE_STEP_GROUP,
  deployStepPolicies,
  stepSource,
} from './app-references.js';
import { ApplicationSchema, applicationLabel, type Application } from './application.js';
import { canonicalJson, utf8ByteLength } from './canonical-json.js';
import type { CatalogView } from './catalog-view.js';
import { LOCAL_CLUSTER } from './cluster-info.js';
import {
  definitionLabel,
  traitAppliesTo,
  type ComponentDefinition,
  type PolicyDefinition,
  type TraitDefinition,
  type WorkflowStepDefinition,
} from './definition.js';
import { parseWith } from './document.js';
import {
  DependencyCycleError,
  DuplicateNameError,
  InvalidDocumentError,
  MissingReferenceError,
  SnapshotTooLargeError,
  TraitNotApplicableError,
  UnknownDefinitionError,
  isRevelaError,
} from './errors.js';
import { sha256Hex, snapshotHash } from './hash.js';
import { jsonClone } from './json-clone.js';
import { objectKey, refOf, type KubeObject } from './kube-object.js';
import { compileParameterSchema, validateParameters } from './parameters.js';
import { overriddenComponents, type ResolvedComponent } from './placement.js';
import { POLICY_TYPE_OVERRIDE, POLICY_TYPE_TOPOLOGY, type Policy } from './policy.js';
import { describeRef, objectsForRef, referencedObjectRefsDetailed } from './ref-objects.js';
import { checkDefinitionCompiles, definitionParameters } from './schematic.js';
import {
  SNAPSHOT_MAX_BYTES,
  type ReferencedObject,
  type RevisionSnapshot,
  type SnapshotContent,
} from './snapshot.js';
import { parseStepCondition } from './step-condition.js';
import { checkConditionInputs, checkStepIo, validateStepProperties } from './step-io-check.js';
import type { Workflow, WorkflowStep, WorkflowSubStep } from './workflow.js';

export { referencedObjectRefs } from './ref-objects.js';

export interface BuildSnapshotInput {
  application: Application;
  /** Built-ins, `vela-system` and the application's namespace, merged (see `mergeCatalogs`). */
  catalog: CatalogView;
  /** Objects read for `ref-objects` components (see `referencedObjectRefs`). */
  referencedObjects?: readonly ReferencedObject[] | readonly { cluster: string; object: KubeObject }[];
  /** @default SNAPSHOT_MAX_BYTES */
  maxBytes?: number;
}

/** Metadata the API server maintains; never part of a snapshot. */
const VOLATILE_METADATA = [
  'resourceVersion',
  'uid',
  'creationTimestamp',
  'generation',
  'managedFields',
  'selfLink',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'ownerReferences',
  'finalizers',
  'generateName',
] as const;

/** kubectl's copy of the last applied object: volatile, and it may contain Secret data. */
const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * The SHA-256 a snapshot records for a Secret's data. The apply step recomputes it from the
 * source Secret, so both must agree on exactly what is hashed.
 */
export function secretDataSha256(secret: KubeObject): string {
  return sha256Hex(canonicalJson({ data: secret.data ?? {}, stringData: secret.stringData }));
}

/**
 * An object read from a cluster as a snapshot records it: volatile metadata and status removed; a
 * Secret reduced to its name, namespace and the SHA-256 of its data.
 */
export function sanitizeReferencedObject(object: KubeObject): KubeObject {
  if (object.kind === 'Secret' && (object.apiVersion === 'v1' || object.apiVersion === '')) {
    const recorded = (object as { dataSha256?: unknown }).dataSha256;
    const hasData = object.data !== undefined || object.stringData !== undefined;
    const dataSha256 = !hasData && typeof recorded === 'string' ? recorded : secretDataSha256(object);
    const metadata: KubeObject['metadata'] = { name: object.metadata.name };
    if (object.metadata.namespace !== undefined) metadata.namespace = object.metadata.namespace;
    return { apiVersion: 'v1', kind: 'Secret', metadata, dataSha256 };
  }
  const copy = jsonClone(object);
  delete copy.status;
  for (const key of VOLATILE_METADATA) delete copy.metadata[key];
  if (copy.metadata.annotations) {
    delete copy.metadata.annotations[LAST_APPLIED_ANNOTATION];
    if (Object.keys(copy.metadata.annotations).length === 0) delete copy.metadata.annotations;
  }
  return copy;
}

/** Depth-first search for a cycle; returns it closed (`a, b, a`) or undefined. */
function findCycle(
  nodes: readonly string[],
  edges: (node: string) => readonly string[],
): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): string[] | undefined => {
    const s = state.get(node);
    if (s === 'done') return undefined;
    if (s === 'visiting') return [...stack.slice(stack.indexOf(node)), node];
    state.set(node, 'visiting');
    stack.push(node);
    for (const next of edges(node)) {
      if (!nodes.includes(next)) continue;
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of nodes) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return undefined;
}

function sortedRecord<T>(entries: Iterable<[string, T]>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [key, value] of [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) out[key] = value;
  return out;
}

/** Collects what the snapshot uses while validating. */
class SnapshotResolver {
  readonly app: Application;
  readonly appLabel: string;
  readonly componentDefinitions = new Map<string, ComponentDefinition>();
  readonly traitDefinitions = new Map<string, TraitDefinition>();
  readonly policyDefinitions = new Map<string, PolicyDefinition>();
  readonly workflowStepDefinitions = new Map<string, WorkflowStepDefinition>();
  readonly externalPolicies = new Map<string, Policy>();
  externalWorkflow: Workflow | undefined;
  /** Policy name lists of deploy steps, with where they were written. */
  readonly deployPolicySets: { policies: string[]; step: string }[] = [];

  constructor(
    application: Application,
    readonly catalog: CatalogView,
  ) {
    this.app = application;
    this.appLabel = applicationLabel(application);
  }

  private componentPath(index: number): string {
    return `spec.components[${index}]`;
  }

  componentDefinition(type: string, location: { object: string; path: string }): ComponentDefinition {
    const definition = this.catalog.componentDefinitions[type];
    if (!definition) {
      throw new UnknownDefinitionError('ComponentDefinition', type, {
        ...location,
        known: Object.keys(this.catalog.componentDefinitions),
      });
    }
    if (!this.componentDefinitions.has(type)) {
      checkDefinitionCompiles(definition);
      this.componentDefinitions.set(type, definition);
    }
    return definition;
  }

  traitDefinition(type: string, location: { object: string; path: string; note?: string }): TraitDefinition {
    const definition = this.catalog.traitDefinitions[type];
    if (!definition) {
      throw new UnknownDefinitionError('TraitDefinition', type, {
        ...location,
        known: Object.keys(this.catalog.traitDefinitions),
      });
    }
    if (!this.traitDefinitions.has(type)) {
      checkDefinitionCompiles(definition);
      this.traitDefinitions.set(type, definition);
    }
    return definition;
  }

  policyDefinition(type: string, location: { object: string; path: string }): PolicyDefinition {
    const definition = this.catalog.policyDefinitions[type];
    if (!definition) {
      throw new UnknownDefinitionError('PolicyDefinition', type, {
        ...location,
        known: Object.keys(this.catalog.policyDefinitions),
      });
    }
    if (!this.policyDefinitions.has(type)) {
      // A CUE policy checks its own parameter when it is rendered.
      const jsonata = definition.spec.schematic.jsonata;
      if (jsonata !== undefined) {
        compileParameterSchema(jsonata.parameter, {
          object: definitionLabel(definition),
          path: 'spec.schematic.jsonata.parameter',
        });
      }
      this.policyDefinitions.set(type, definition);
    }
    return definition;
  }

  stepDefinition(type: string, location: { object: string; path: string }): WorkflowStepDefinition {
    const definition = this.catalog.workflowStepDefinitions[type];
    if (!definition) {
      throw new UnknownDefinitionError('WorkflowStepDefinition', type, {
        ...location,
        known: Object.keys(this.catalog.workflowStepDefinitions),
      });
    }
    if (!this.workflowStepDefinitions.has(type)) {
      compileParameterSchema(definition.spec.schematic.jsonata.parameter, {
        object: definitionLabel(definition),
        path: 'spec.schematic.jsonata.parameter',
      });
      this.workflowStepDefinitions.set(type, definition);
    }
    return definition;
  }

  /** Names, types, traits, parameters and dependencies of the components. */
  checkComponents(): void {
    const components = this.app.spec.components;
    const names = new Set<string>();
    components.forEach((component, i) => {
      if (names.has(component.name)) {
        throw new DuplicateNameError('component', component.name, {
          object: this.appLabel,
          path: `${this.componentPath(i)}.name`,
        });
      }
      names.add(component.name);
    });
    components.forEach((component, i) => {
      const path = this.componentPath(i);
      const traitTypes = new Set<string>();
      (component.traits ?? []).forEach((trait, j) => {
        if (traitTypes.has(trait.type)) {
          throw new DuplicateNameError('trait', trait.type, {
            object: this.appLabel,
            path: `${path}.traits[${j}].type`,
            reason: `trait "${trait.type}" is attached twice to component "${component.name}"; merge the two into one`,
          });
        }
        traitTypes.add(trait.type);
      });
      (component.dependsOn ?? []).forEach((dependency, k) => {
        if (!names.has(dependency)) {
          throw new MissingReferenceError(
            'Component',
            dependency,
            `component "${component.name}" depends on "${dependency}", which is not a component of the application`,
            { object: this.appLabel, path: `${path}.dependsOn[${k}]` },
          );
        }
      });
    });
    const cycle = findCycle(
      components.map((c) => c.name),
      (name) => components.find((c) => c.name === name)?.dependsOn ?? [],
    );
    if (cycle) {
      const first = components.findIndex((c) => c.name === cycle[0]);
      throw new DependencyCycleError('components', cycle, {
        object: this.appLabel,
        path: `${this.componentPath(first)}.dependsOn`,
      });
    }
    this.checkResolvedComponents(
      components.map((c) => ({
        name: c.name,
        type: c.type,
        properties: c.properties ?? {},
        traits: (c.traits ?? []).map((t) => ({ type: t.type, properties: t.properties ?? {} })),
        dependsOn: c.dependsOn ?? [],
      })),
    );
  }

  /** Types, applicability and parameters of components as one deploy step renders them. */
  checkResolvedComponents(
    components: readonly ResolvedComponent[],
    deploy?: { policies: readonly string[]; step: string },
  ): void {
    const withOverrides =
      deploy === undefined ? {} : { note: `(with the overrides of step "${deploy.step}")` };
    for (const component of components) {
      const index = this.app.spec.components.findIndex((c) => c.name === component.name);
      const path = this.componentPath(index);
      const definition = this.componentDefinition(component.type, {
        object: this.appLabel,
        path: `${path}.type`,
      });
      definitionParameters(definition, component.properties, {
        definition: component.type,
        object: this.appLabel,
        path: `${path}.properties`,
        ...withOverrides,
      });
      for (const trait of component.traits) {
        const declared = (this.app.spec.components[index]?.traits ?? []).findIndex(
          (t) => t.type === trait.type,
        );
        // A trait that an override added is not in the application: point at the override instead.
        const origin =
          declared === -1 && deploy !== undefined
            ? this.overrideTraitOrigin(deploy.policies, component, trait.type)
            : undefined;
        const at =
          origin !== undefined
            ? {
                object: origin.object,
                path: origin.path,
                note: `(for component "${component.name}" in step "${deploy?.step ?? ''}")`,
              }
            : {
                object: this.appLabel,
                path: `${path}.traits[${declared === -1 ? 0 : declared}]`,
                ...withOverrides,
              };
        const traitDefinition = this.traitDefinition(trait.type, { ...at, path: `${at.path}.type` });
        if (!traitAppliesTo(traitDefinition.spec.appliesToWorkloads, component.type, definition)) {
          throw new TraitNotApplicableError(
            trait.type,
            component.type,
            traitDefinition.spec.appliesToWorkloads ?? [],
            {
              ...at,
              path: `${at.path}.type`,
            },
          );
        }
        definitionParameters(traitDefinition, trait.properties, {
          definition: trait.type,
          ...at,
          path: `${at.path}.properties`,
        });
      }
    }
  }

  /** The last override entry among `policies` that adds `traitType` to the component. */
  private overrideTraitOrigin(
    policies: readonly string[],
    component: ResolvedComponent,
    traitType: string,
  ): { object: string; path: string } | undefined {
    let origin: { object: string; path: string } | undefined;
    for (const name of policies) {
      const inlineIndex = (this.app.spec.policies ?? []).findIndex((p) => p.name === name);
      const policy =
        inlineIndex === -1 ? this.externalPolicies.get(name) : this.app.spec.policies?.[inlineIndex];
      if (policy?.type !== POLICY_TYPE_OVERRIDE) continue;
      const object =
        inlineIndex === -1
          ? `Policy ${(policy as Policy).metadata.namespace ?? this.app.metadata.namespace}/${name}`
          : this.appLabel;
      const base = inlineIndex === -1 ? 'properties' : `spec.policies[${inlineIndex}].properties`;
      const entries = Array.isArray(policy.properties?.components)
        ? (policy.properties.components as unknown[])
        : [];
      entries.forEach((raw, i) => {
        const entry = raw as { name?: unknown; type?: unknown; traits?: unknown };
        if (entry.name !== undefined && entry.name !== component.name) return;
        if (entry.type !== undefined && entry.type !== component.type) return;
        if (!Array.isArray(entry.traits)) return;
        entry.traits.forEach((t: unknown, j) => {
          const trait = t as { type?: unknown; disable?: unknown };
          if (trait.type === traitType && trait.disable !== true)
            origin = { object, path: `${base}.components[${i}].traits[${j}]` };
        });
      });
    }
    return origin;
  }

  /** Inline policies: unique names, known types, valid properties. */
  checkInlinePolicies(): void {
    const names = new Set<string>();
    (this.app.spec.policies ?? []).forEach((policy, i) => {
      const path = `spec.policies[${i}]`;
      if (names.has(policy.name))
        throw new DuplicateNameError('policy', policy.name, { object: this.appLabel, path: `${path}.name` });
      names.add(policy.name);
      const definition = this.policyDefinition(policy.type, { object: this.appLabel, path: `${path}.type` });
      const jsonata = definition.spec.schematic.jsonata;
      if (jsonata !== undefined) {
        validateParameters(jsonata.parameter, policy.properties, {
          definition: policy.type,
          object: this.appLabel,
          path: `${path}.properties`,
        });
      }
      this.checkOverrideTraits(policy.type, policy.properties, this.appLabel, `${path}.properties`);
    });
  }

  /** Trait types an override policy adds must exist (their parameters are checked once merged). */
  private checkOverrideTraits(
    type: string,
    properties: Record<string, unknown> | undefined,
    object: string,
    path: string,
  ): void {
    if (type !== POLICY_TYPE_OVERRIDE) return;
    const components = Array.isArray(properties?.components) ? (properties.components as unknown[]) : [];
    components.forEach((entry, i) => {
      const traits = (entry as { traits?: unknown }).traits;
      if (!Array.isArray(traits)) return;
      traits.forEach((trait: unknown, j) => {
        const t = trait as { type?: unknown; disable?: unknown };
        if (typeof t.type === 'string' && t.disable !== true) {
          this.traitDefinition(t.type, { object, path: `${path}.components[${i}].traits[${j}].type` });
        }
      });
    });
  }

  /** The external policy `name`, validated, or an error pointing at the step that names it. */
  private externalPolicy(name: string, location: { object: string; path: string }, step: string): void {
    if (this.externalPolicies.has(name)) return;
    const policy = this.catalog.policies[name];
    if (!policy) {
      throw new MissingReferenceError(
        'Policy',
        name,
        `step "${step}" names policy "${name}", which is neither in spec.policies nor an external Policy in namespace ${this.app.metadata.namespace} — apply the Policy first or fix the name`,
        location,
      );
    }
    const label = `Policy ${policy.metadata.namespace ?? this.app.metadata.namespace}/${name}`;
    const definition = this.policyDefinition(policy.type, { object: label, path: 'type' });
    const jsonata = definition.spec.schematic.jsonata;
    if (jsonata !== undefined) {
      validateParameters(jsonata.parameter, policy.properties, {
        definition: policy.type,
        object: label,
        path: 'properties',
      });
    }
    this.checkOverrideTraits(policy.type, policy.properties, label, 'properties');
    this.externalPolicies.set(name, policy);
  }

  /** Steps: inline or external, or KubeVela's defaults. */
  checkWorkflow(): void {
    const workflow = this.app.spec.workflow;
    const source = stepSource(this.app);
    if (workflow?.ref !== undefined && source === 'inline') {
      throw new InvalidDocumentError('set either ref (an external Workflow) or steps, not both', {
        object: this.appLabel,
        path: 'spec.workflow',
      });
    }
    if (source === 'default') {
      const policies = this.app.spec.policies ?? [];
      this.stepDefinition(STEP_TYPE_DEPLOY, { object: this.appLabel, path: 'spec.workflow' });
      const overrides = policies.filter((p) => p.type === POLICY_TYPE_OVERRIDE).map((p) => p.name);
      const topologies = policies.filter((p) => p.type === POLICY_TYPE_TOPOLOGY).map((p) => p.name);
      if (topologies.length === 0)
        this.deployPolicySets.push({ policies: overrides, step: STEP_TYPE_DEPLOY });
      for (const topology of topologies) {
        this.deployPolicySets.push({
          policies: [topology, ...overrides],
          step: `${STEP_TYPE_DEPLOY}-${topology}`,
        });
      }
      return;
    }
    if (source === 'external') {
      const ref = workflow?.ref ?? '';
      const external = this.catalog.workflows[ref];
      if (!external) {
        throw new MissingReferenceError(
          'Workflow',
          ref,
          `external Workflow "${ref}" does not exist in namespace ${this.app.metadata.namespace} — apply it first or fix the name`,
          { object: this.appLabel, path: 'spec.workflow.ref' },
        );
      }
      this.externalWorkflow = external;
      const label = `Workflow ${external.metadata.namespace ?? this.app.metadata.namespace}/${external.metadata.name}`;
      this.checkSteps(external.steps, label, 'steps');
      return;
    }
    this.checkSteps(workflow?.steps ?? [], this.appLabel, 'spec.workflow.steps');
  }

  private checkSteps(steps: readonly WorkflowStep[], object: string, base: string): void {
    const all: { step: WorkflowStep | WorkflowSubStep; path: string }[] = [];
    steps.forEach((step, i) => {
      all.push({ step, path: `${base}[${i}]` });
      (step.subSteps ?? []).forEach((sub, j) =>
        all.push({ step: sub, path: `${base}[${i}].subSteps[${j}]` }),
      );
    });
    const names = new Set<string>();
    for (const { step, path } of all) {
      if (names.has(step.name))
        throw new DuplicateNameError('step', step.name, { object, path: `${path}.name` });
      names.add(step.name);
    }
    const checkLevel = (
      level: readonly (WorkflowStep | WorkflowSubStep)[],
      levelPath: (i: number) => string,
      what: string,
    ): void => {
      const levelNames = level.map((s) => s.name);
      level.forEach((step, i) => {
        (step.dependsOn ?? []).forEach((dependency, k) => {
          if (!levelNames.includes(dependency)) {
            throw new MissingReferenceError(
              'Step',
              dependency,
              `step "${step.name}" depends on "${dependency}", which is not one of ${what}: ${levelNames.join(', ')}`,
              { object, path: `${levelPath(i)}.dependsOn[${k}]` },
            );
          }
        });
      });
      const cycle = findCycle(levelNames, (name) => level.find((s) => s.name === name)?.dependsOn ?? []);
      if (cycle) {
        const first = levelNames.indexOf(cycle[0] ?? '');
        throw new DependencyCycleError('steps', cycle, { object, path: `${levelPath(first)}.dependsOn` });
      }
    };
    checkLevel(steps, (i) => `${base}[${i}]`, 'the steps');
    steps.forEach((step, i) => {
      if (step.subSteps)
        checkLevel(step.subSteps, (j) => `${base}[${i}].subSteps[${j}]`, `the sub-steps of "${step.name}"`);
    });

    const outputNames = new Set([
      ...all.flatMap(({ step }) => (step.outputs ?? []).map((o) => o.name)),
      ...this.app.spec.components.flatMap((c) => (c.outputs ?? []).map((o) => o.name)),
    ]);
    this.app.spec.components.forEach((c, i) =>
      checkStepIo(c, { object: this.appLabel, path: `spec.components[${i}]` }, outputNames),
    );
    for (const { step, path } of all) {
      const definition = this.stepDefinition(step.type, { object, path: `${path}.type` });
      validateStepProperties(
        (properties) =>
          validateParameters(definition.spec.schematic.jsonata.parameter, properties, {
            definition: step.type,
            object,
            path: `${path}.properties`,
          }),
        step.properties,
        step.inputs,
        `${path}.properties`,
      );
      if ('subSteps' in step && step.subSteps !== undefined && step.type !== STEP_TYPE_STEP_GROUP) {
        throw new InvalidDocumentError(
          `only steps of type ${STEP_TYPE_STEP_GROUP} have subSteps; this step is a ${step.type}`,
          {
            object,
            path: `${path}.subSteps`,
          },
        );
      }
      if (step.if !== undefined) this.checkCondition(step.if, names, object, `${path}.if`);
      checkStepIo(step, { object, path }, outputNames);
      if (step.if !== undefined) checkConditionInputs(step, { object, path });
      if (step.type === STEP_TYPE_APPLY_COMPONENT) {
        const component = step.properties?.component;
        if (typeof component === 'string' && !this.app.spec.components.some((c) => c.name === component)) {
          throw new MissingReferenceError(
            'Component',
            component,
            `step "${step.name}" applies component "${component}", which is not a component of the application`,
            { object, path: `${path}.properties.component` },
          );
        }
      }
      if (step.type === STEP_TYPE_DEPLOY) {
        const policies = deployStepPolicies(step);
        const inline = new Set((this.app.spec.policies ?? []).map((p) => p.name));
        policies.forEach((name, k) => {
          if (!inline.has(name))
            this.externalPolicy(name, { object, path: `${path}.properties.policies[${k}]` }, step.name);
        });
        this.deployPolicySets.push({ policies, step: step.name });
      }
    }
  }

  private checkCondition(expression: string, steps: ReadonlySet<string>, object: string, path: string): void {
    let referenced: readonly string[];
    try {
      referenced = parseStepCondition(expression).steps;
    } catch (e) {
      const reason = isRevelaError(e) ? e.reason : String(e);
      throw new InvalidDocumentError(reason, { object, path, cause: e });
    }
    for (const name of referenced) {
      if (!steps.has(name)) {
        throw new MissingReferenceError(
          'Step',
          name,
          `the condition reads the status of step "${name}", which does not exist`,
          {
            object,
            path,
          },
        );
      }
    }
  }

  /** Every deploy step's components, overrides applied, must still validate. */
  checkDeploySets(draft: RevisionSnapshot): void {
    for (const { policies, step } of this.deployPolicySets) {
      if (!policies.some((name) => this.policyType(name) === POLICY_TYPE_OVERRIDE)) continue;
      const components = overriddenComponents(draft, policies, { step });
      this.checkResolvedComponents(components, { policies, step });
    }
  }

  private policyType(name: string): string | undefined {
    return (
      (this.app.spec.policies ?? []).find((p) => p.name === name)?.type ??
      this.externalPolicies.get(name)?.type
    );
  }

  /** The referenced objects the application reads, sanitized, in a stable order. */
  referencedObjects(input: readonly { cluster: string; object: KubeObject }[]): ReferencedObject[] {
    const sanitized = input.map((r) => ({ cluster: r.cluster, object: sanitizeReferencedObject(r.object) }));
    const used = new Map<string, ReferencedObject>();
    for (const r of referencedObjectRefsDetailed(this.app)) {
      const cluster = r.cluster ?? LOCAL_CLUSTER;
      const found = objectsForRef(sanitized, r);
      if (found.length === 0) {
        throw new MissingReferenceError(
          'Object',
          `${r.ref.kind}/${r.ref.name}`,
          `${describeRef(r)} ${r.labelSelector === undefined ? 'was' : 'were'} not found in cluster ${cluster}; create ${r.labelSelector === undefined ? 'it' : 'them'} or fix the reference`,
          { object: this.appLabel, path: r.path },
        );
      }
      for (const f of found) used.set(objectKey(f.cluster, refOf(f.object)), f);
    }
    return [...used.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, r]) => r);
  }
}

/** The application as a snapshot records it: re-validated, status and kubectl's copy removed. */
function normalizeApplication(application: Application): Application {
  const raw = jsonClone(application) as Application & { status?: unknown };
  delete raw.status;
  const app = parseWith(ApplicationSchema, raw, { object: applicationLabel(application) });
  delete app.status;
  if (app.metadata.annotations) {
    delete app.metadata.annotations[LAST_APPLIED_ANNOTATION];
    if (Object.keys(app.metadata.annotations).length === 0) delete app.metadata.annotations;
  }
  return app;
}

/**
 * Validates an application against a catalog and builds its revision snapshot.
 *
 * @throws InvalidDocumentError, UnknownDefinitionError, TraitNotApplicableError,
 *   MissingReferenceError, DuplicateNameError, DependencyCycleError, InvalidParametersError,
 *   TemplateError, SnapshotTooLargeError — each naming the object and path to fix.
 * @example const snapshot = buildSnapshot({ application, catalog: mergeCatalogs(loadBuiltinDefinitions(), nsCatalog) });
 */
export function buildSnapshot(input: BuildSnapshotInput): RevisionSnapshot {
  const app = normalizeApplication(input.application);
  const resolver = new SnapshotResolver(app, input.catalog);
  resolver.checkComponents();
  resolver.checkInlinePolicies();
  resolver.checkWorkflow();

  const content: SnapshotContent = {
    application: app,
    componentDefinitions: sortedRecord(resolver.componentDefinitions),
    traitDefinitions: sortedRecord(resolver.traitDefinitions),
    policyDefinitions: sortedRecord(resolver.policyDefinitions),
    workflowStepDefinitions: sortedRecord(resolver.workflowStepDefinitions),
    externalPolicies: Object.fromEntries(resolver.externalPolicies),
    referencedObjects: resolver.referencedObjects(input.referencedObjects ?? []),
  };
  if (resolver.externalWorkflow) content.externalWorkflow = resolver.externalWorkflow;

  resolver.checkDeploySets({ ...content, hash: '0000000000000000', size: 0 });
  // Overrides may have added trait definitions while checking the deploy steps.
  content.traitDefinitions = sortedRecord(resolver.traitDefinitions);
  content.componentDefinitions = sortedRecord(resolver.componentDefinitions);

  const stored = jsonClone(content);
  const size = utf8ByteLength(canonicalJson(stored));
  const limit = input.maxBytes ?? SNAPSHOT_MAX_BYTES;
  if (size > limit) throw new SnapshotTooLargeError(size, limit, { object: resolver.appLabel });
  return { ...stored, hash: snapshotHash(stored), size };
}
