/**
 * Typed errors of the model. Every error names the object it is about (`Application
 * examples/podinfo`) and the path inside it (`spec.components[0].traits[1].properties.replicas`),
 * and its message always reads `<object>: <path>: <reason>` so that a user can find the line to
 * fix. Callers recognise errors by `type`, never by message text; activities translate them once
 * into `ApplicationFailure.nonRetryable(message, type)`.
 *
 * Workflow-safe: this file imports nothing.
 */

/** Every `type` a {@link RevelaError} can have. */
export const REVELA_ERROR_TYPES = [
  'YamlSyntax',
  'InvalidDocument',
  'UnknownDefinition',
  'TraitNotApplicable',
  'MissingReference',
  'DuplicateName',
  'DependencyCycle',
  'InvalidParameters',
  'TemplateError',
  'CueEvaluation',
  'SnapshotTooLarge',
  'NoClusterMatches',
  'UnknownCluster',
] as const;

export type RevelaErrorType = (typeof REVELA_ERROR_TYPES)[number];

/** Where an error points: the object (`Application examples/podinfo`) and the path inside it. */
export interface ErrorLocation {
  /** `Application examples/podinfo`, `Policy examples/topology-x`, `ComponentDefinition webservice`. */
  object?: string;
  /** `spec.components[0].traits[1].properties.replicas`. */
  path?: string;
  /** Appended to the reason, e.g. `(with the overrides of step "deploy-hangzhou")`. */
  note?: string;
  cause?: unknown;
}

/** The JSON form of an error, e.g. for `ApplicationFailure` details or `--output json`. */
export interface RevelaErrorJSON {
  type: string;
  message: string;
  reason: string;
  object?: string;
  path?: string;
  [detail: string]: unknown;
}

function formatMessage(reason: string, location: ErrorLocation): string {
  return [location.object, location.path, reason]
    .filter((part) => part !== undefined && part !== '')
    .join(': ');
}

/** Base class of every model error. */
export abstract class RevelaError extends Error {
  /** One of {@link REVELA_ERROR_TYPES}; each subclass fixes it. */
  abstract readonly type: RevelaErrorType;
  readonly object?: string;
  readonly path?: string;
  /** The message without object and path. */
  readonly reason: string;

  constructor(reason: string, location: ErrorLocation = {}) {
    const full = location.note === undefined ? reason : `${reason} ${location.note}`;
    super(
      formatMessage(full, location),
      location.cause === undefined ? undefined : { cause: location.cause },
    );
    this.name = new.target.name;
    this.reason = full;
    if (location.object !== undefined) this.object = location.object;
    if (location.path !== undefined) this.path = location.path;
  }

  /** Structured fields of the subclass (besides type, message, object, path, reason). */
  protected details(): Record<string, unknown> {
    return {};
  }

  toJSON(): RevelaErrorJSON {
    const json: RevelaErrorJSON = { type: this.type, message: this.message, reason: this.reason };
    if (this.object !== undefined) json.object = this.object;
    if (this.path !== undefined) json.path = this.path;
    for (const [key, value] of Object.entries(this.details())) {
      if (value !== undefined) json[key] = value;
    }
    return json;
  }
}

/** Where a document came from: a file (or `-` for stdin) and its index among the file's documents. */
export interface DocumentSource {
  file?: string;
  /** 0-based index of the document in its file. */
  index?: number;
}

function sourceSuffix(source: DocumentSource): string {
  const parts: string[] = [];
  if (source.file !== undefined) parts.push(source.file);
  if (source.index !== undefined) parts.push(`document ${source.index + 1}`);
  return parts.length > 0 ? ` (in ${parts.join(', ')})` : '';
}

/** The text is not valid YAML. The object is the file (or `<input>`). */
export class YamlSyntaxError extends RevelaError {
  override readonly type = 'YamlSyntax';
  readonly file?: string;
  /** 0-based index of the document in the file. */
  readonly documentIndex?: number;
  /** 1-based line and column of the error, when known. */
  readonly line?: number;
  readonly col?: number;

  constructor(
    reason: string,
    where: { file?: string; documentIndex?: number; line?: number; col?: number; cause?: unknown },
  ) {
    const position: string[] = [];
    if (where.documentIndex !== undefined) position.push(`document ${where.documentIndex + 1}`);
    if (where.line !== undefined) position.push(`line ${where.line}`);
    if (where.col !== undefined) position.push(`column ${where.col}`);
    super(reason, {
      object: where.file ?? '<input>',
      ...(position.length > 0 ? { path: position.join(', ') } : {}),
      cause: where.cause,
    });
    if (where.file !== undefined) this.file = where.file;
    if (where.documentIndex !== undefined) this.documentIndex = where.documentIndex;
    if (where.line !== undefined) this.line = where.line;
    if (where.col !== undefined) this.col = where.col;
  }

  protected override details(): Record<string, unknown> {
    return { file: this.file, documentIndex: this.documentIndex, line: this.line, col: this.col };
  }
}

/** One problem found by schema validation. */
export interface DocumentIssue {
  path: string;
  reason: string;
}

/**
 * A document does not match its schema (wrong shape, invalid name, unknown kind, bad duration).
 * When it came from a file, the message ends with `(in app.yaml, document 2)`.
 */
export class InvalidDocumentError extends RevelaError {
  override readonly type = 'InvalidDocument';
  readonly file?: string;
  readonly documentIndex?: number;
  /** Every problem found; the message shows the first. */
  readonly issues: DocumentIssue[];

  constructor(
    reason: string,
    location: ErrorLocation & { source?: DocumentSource; issues?: DocumentIssue[] } = {},
  ) {
    const source = location.source ?? {};
    const others = (location.issues?.length ?? 1) - 1;
    const more = others > 0 ? ` (and ${others} more problem${others > 1 ? 's' : ''})` : '';
    super(`${reason}${more}${sourceSuffix(source)}`, location);
    if (source.file !== undefined) this.file = source.file;
    if (source.index !== undefined) this.documentIndex = source.index;
    this.issues = location.issues ?? (location.path !== undefined ? [{ path: location.path, reason }] : []);
  }

  protected override details(): Record<string, unknown> {
    return { file: this.file, documentIndex: this.documentIndex, issues: this.issues };
  }
}

/** The kinds of definitions a type name is looked up in. */
export type DefinitionKind =
  'ComponentDefinition' | 'TraitDefinition' | 'PolicyDefinition' | 'WorkflowStepDefinition';

/** A component, trait, policy or workflow step type that no definition in the catalog provides. */
export class UnknownDefinitionError extends RevelaError {
  override readonly type = 'UnknownDefinition';
  readonly definitionKind: DefinitionKind;
  readonly definitionName: string;

  constructor(
    definitionKind: DefinitionKind,
    definitionName: string,
    location: ErrorLocation & { known?: readonly string[] },
  ) {
    const known = location.known ?? [];
    const hint = known.length > 0 ? `; known: ${[...known].sort().join(', ')}` : '';
    super(
      `unknown ${describeKind(definitionKind)} type "${definitionName}": no ${definitionKind} named "${definitionName}" in the catalog${hint}`,
      location,
    );
    this.definitionKind = definitionKind;
    this.definitionName = definitionName;
  }

  protected override details(): Record<string, unknown> {
    return { definitionKind: this.definitionKind, definitionName: this.definitionName };
  }
}

function describeKind(kind: DefinitionKind): string {
  switch (kind) {
    case 'ComponentDefinition':
      return 'component';
    case 'TraitDefinition':
      return 'trait';
    case 'PolicyDefinition':
      return 'policy';
    case 'WorkflowStepDefinition':
      return 'workflow step';
  }
}

/** A trait whose definition's `appliesToWorkloads` excludes the component's workload. */
export class TraitNotApplicableError extends RevelaError {
  override readonly type = 'TraitNotApplicable';
  readonly trait: string;
  readonly componentType: string;
  readonly appliesToWorkloads: string[];

  constructor(
    trait: string,
    componentType: string,
    appliesToWorkloads: readonly string[],
    location: ErrorLocation,
  ) {
    super(
      `trait "${trait}" does not apply to components of type "${componentType}"; it applies to: ${appliesToWorkloads.join(', ')}`,
      location,
    );
    this.trait = trait;
    this.componentType = componentType;
    this.appliesToWorkloads = [...appliesToWorkloads];
  }

  protected override details(): Record<string, unknown> {
    return {
      trait: this.trait,
      componentType: this.componentType,
      appliesToWorkloads: this.appliesToWorkloads,
    };
  }
}

/** What a name refers to when it cannot be found. */
export type ReferenceKind = 'Policy' | 'Workflow' | 'Component' | 'Step' | 'Object' | 'Output' | 'Input';

/** A name that refers to something absent: an external policy or workflow, a component, a step. */
export class MissingReferenceError extends RevelaError {
  override readonly type = 'MissingReference';
  readonly referenceKind: ReferenceKind;
  /** The name that could not be found. */
  readonly referenceName: string;

  constructor(referenceKind: ReferenceKind, referenceName: string, reason: string, location: ErrorLocation) {
    super(reason, location);
    this.referenceKind = referenceKind;
    this.referenceName = referenceName;
  }

  protected override details(): Record<string, unknown> {
    return { referenceKind: this.referenceKind, referenceName: this.referenceName };
  }
}

/** Two components, policies, steps or traits with the same name. */
export class DuplicateNameError extends RevelaError {
  override readonly type = 'DuplicateName';
  readonly duplicate: string;

  /** `what` is `component`, `step`, …; `location.reason` replaces the default wording. */
  constructor(what: string, duplicate: string, location: ErrorLocation & { reason?: string }) {
    super(
      location.reason ?? `${what} "${duplicate}" is defined more than once; names must be unique`,
      location,
    );
    this.duplicate = duplicate;
  }

  protected override details(): Record<string, unknown> {
    return { duplicate: this.duplicate };
  }
}

/** `dependsOn` edges that form a cycle; `cycle` lists it closed (`a → b → a`). */
export class DependencyCycleError extends RevelaError {
  override readonly type = 'DependencyCycle';
  readonly cycle: string[];

  constructor(what: string, cycle: readonly string[], location: ErrorLocation) {
    super(`${what} depend on each other in a cycle: ${cycle.join(' → ')}`, location);
    this.cycle = [...cycle];
  }

  protected override details(): Record<string, unknown> {
    return { cycle: this.cycle };
  }
}

/** Properties that do not match the parameter schema of their definition. */
export class InvalidParametersError extends RevelaError {
  override readonly type = 'InvalidParameters';
  /** The definition whose schema was violated, e.g. `webservice`. */
  readonly definition: string;

  constructor(definition: string, reason: string, location: ErrorLocation) {
    super(reason, location);
    this.definition = definition;
  }

  protected override details(): Record<string, unknown> {
    return { definition: this.definition };
  }
}

/** A JSONata expression that does not parse or fails to evaluate, or returns the wrong shape. */
export class TemplateError extends RevelaError {
  override readonly type = 'TemplateError';
  readonly definition: string;
  /** Character offset in the expression (JSONata's `position`), when known. */
  readonly position?: number;
  /** The token at the position, when known. */
  readonly token?: string;
  /** JSONata's error code (`S0201`, `T2001`, …), when known. */
  readonly code?: string;

  constructor(
    definition: string,
    reason: string,
    location: ErrorLocation & { position?: number; token?: string; code?: string },
  ) {
    const where: string[] = [];
    if (location.position !== undefined) where.push(`at position ${location.position}`);
    if (location.token !== undefined) where.push(`near "${location.token}"`);
    super(`${where.length > 0 ? `${where.join(' ')}: ` : ''}${reason}`, location);
    this.definition = definition;
    if (location.position !== undefined) this.position = location.position;
    if (location.token !== undefined) this.token = location.token;
    if (location.code !== undefined) this.code = location.code;
  }

  protected override details(): Record<string, unknown> {
    return { definition: this.definition, position: this.position, token: this.token, code: this.code };
  }
}

/** Where in a CUE source an error is: 1-based line and column (of the template or status field). */
export interface CuePosition {
  line: number;
  column: number;
}

/**
 * A CUE template or status expression of a definition that does not compile or fails to evaluate
 * (a conflict, an incomplete value, a bad import). `object` is the definition, `path` the field
 * holding the CUE (`spec.schematic.cue.template`), `position` the place in that text, `cuePath`
 * the CUE field concerned (`output.spec.replicas`); `application` names the application and
 * component being rendered, when there is one.
 */
export class CueEvaluationError extends RevelaError {
  override readonly type = 'CueEvaluation';
  readonly definition: string;
  readonly position?: CuePosition;
  readonly cuePath?: string;
  readonly application?: string;

  constructor(
    definition: string,
    reason: string,
    location: ErrorLocation & { position?: CuePosition; cuePath?: string; application?: string },
  ) {
    const where: string[] = [];
    if (location.position !== undefined)
      where.push(`line ${location.position.line}, column ${location.position.column}`);
    if (location.cuePath !== undefined && location.cuePath !== '') where.push(location.cuePath);
    const rendering = location.application === undefined ? '' : ` (rendering ${location.application})`;
    super(`${where.length > 0 ? `${where.join(': ')}: ` : ''}${reason}${rendering}`, location);
    this.definition = definition;
    if (location.position !== undefined) this.position = location.position;
    if (location.cuePath !== undefined && location.cuePath !== '') this.cuePath = location.cuePath;
    if (location.application !== undefined) this.application = location.application;
  }

  protected override details(): Record<string, unknown> {
    return {
      definition: this.definition,
      position: this.position,
      cuePath: this.cuePath,
      application: this.application,
    };
  }
}

/** A snapshot whose canonical JSON is over the limit (1 MiB); the message has the size. */
export class SnapshotTooLargeError extends RevelaError {
  override readonly type = 'SnapshotTooLarge';
  readonly size: number;
  readonly limit: number;

  constructor(size: number, limit: number, location: ErrorLocation) {
    super(
      `the revision snapshot is ${formatBytes(size)} (${size} bytes), above the limit of ${formatBytes(limit)} (${limit} bytes); ` +
        'move large data out of the application (e.g. into ConfigMaps read by ref-objects) or split it into several applications',
      location,
    );
    this.size = size;
    this.limit = limit;
  }

  protected override details(): Record<string, unknown> {
    return { size: this.size, limit: this.limit };
  }
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(2)} MiB`;
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

/** A `clusterLabelSelector` that matches no registered cluster. */
export class NoClusterMatchesError extends RevelaError {
  override readonly type = 'NoClusterMatches';
  /** `region=hangzhou,tier=prod` */
  readonly selector: string;

  constructor(selector: string, known: readonly string[], location: ErrorLocation) {
    super(
      `no cluster matches the label selector ${selector}; registered clusters: ${known.length > 0 ? known.join(', ') : '(none)'}` +
        ' — label a cluster in the clusters file or change the topology policy',
      location,
    );
    this.selector = selector;
  }

  protected override details(): Record<string, unknown> {
    return { selector: this.selector };
  }
}

/** A topology policy or step that names a cluster the registry does not know. */
export class UnknownClusterError extends RevelaError {
  override readonly type = 'UnknownCluster';
  readonly cluster: string;

  constructor(cluster: string, known: readonly string[], location: ErrorLocation) {
    super(
      `unknown cluster "${cluster}"; registered clusters: ${known.length > 0 ? known.join(', ') : '(none)'}`,
      location,
    );
    this.cluster = cluster;
  }

  protected override details(): Record<string, unknown> {
    return { cluster: this.cluster };
  }
}

/**
 * True for every model error, also when `instanceof` fails because the error crossed a bundle
 * boundary (the workflow sandbox loads its own copy of this file).
 */
export function isRevelaError(e: unknown): e is RevelaError {
  if (e instanceof RevelaError) return true;
  if (!(e instanceof Error)) return false;
  const type = (e as { type?: unknown }).type;
  return typeof type === 'string' && (REVELA_ERROR_TYPES as readonly string[]).includes(type);
}
