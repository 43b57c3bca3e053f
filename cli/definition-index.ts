import type { CatalogView } from '../model/catalog-view.js';
import type { AnyDefinition } from '../model/definition.js';
import { NotFoundError } from '../client/errors.js';
import { CliUsageError } from './errors.js';

/** `--type` of the `def` commands, KubeVela's names. */
export const DEFINITION_TYPES = ['component', 'trait', 'policy', 'workflow-step'] as const;
export type DefinitionType = (typeof DEFINITION_TYPES)[number];

const SECTION: Record<
  DefinitionType,
  'componentDefinitions' | 'traitDefinitions' | 'policyDefinitions' | 'workflowStepDefinitions'
> = {
  component: 'componentDefinitions',
  trait: 'traitDefinitions',
  policy: 'policyDefinitions',
  'workflow-step': 'workflowStepDefinitions',
};

export const DEFINITION_KIND: Record<DefinitionType, AnyDefinition['kind']> = {
  component: 'ComponentDefinition',
  trait: 'TraitDefinition',
  policy: 'PolicyDefinition',
  'workflow-step': 'WorkflowStepDefinition',
};

/** One definition as `def list` shows it: where it comes from is the layer that wins. */
export interface DefinitionEntry {
  readonly name: string;
  readonly type: DefinitionType;
  /** `built-in`, `vela-system` or the application namespace. */
  readonly source: string;
  readonly version?: string;
  readonly description?: string;
  readonly definition: AnyDefinition;
}

/** A catalog layer, lowest first: built-ins, then `vela-system`, then a namespace. */
export interface CatalogLayer {
  readonly source: string;
  readonly view: Partial<CatalogView>;
}

/** Every definition visible from the last layer, each from the layer that wins for its name. */
export function indexDefinitions(layers: readonly CatalogLayer[], type?: DefinitionType): DefinitionEntry[] {
  const entries = new Map<string, DefinitionEntry>();
  for (const layer of layers) {
    for (const t of DEFINITION_TYPES) {
      if (type !== undefined && t !== type) continue;
      const section = (layer.view[SECTION[t]] ?? {}) as Record<string, AnyDefinition>;
      for (const [name, definition] of Object.entries(section)) {
        entries.set(`${t}/${name}`, {
          name,
          type: t,
          source: layer.source,
          ...(definition.spec.version !== undefined ? { version: definition.spec.version } : {}),
          ...(definition.spec.description !== undefined ? { description: definition.spec.description } : {}),
          definition,
        });
      }
    }
  }
  return [...entries.values()].sort(
    (a, b) =>
      DEFINITION_TYPES.indexOf(a.type) - DEFINITION_TYPES.indexOf(b.type) || a.name.localeCompare(b.name),
  );
}

/**
 * The one definition called `name` (of `type`, if given).
 *
 * @throws NotFoundError when none has that name
 * @throws CliUsageError when several of different types have it (add `--type`)
 */
export function findDefinition(
  entries: readonly DefinitionEntry[],
  name: string,
  type?: DefinitionType,
  where?: string,
): DefinitionEntry {
  const found = entries.filter((e) => e.name === name && (type === undefined || e.type === type));
  if (found.length === 0) {
    throw new NotFoundError(
      `no ${type ? `${type} ` : ''}definition named "${name}"${where ? ` in ${where}` : ''} (see \`revela def list\`)`,
    );
  }
  if (found.length > 1) {
    throw new CliUsageError(
      `"${name}" names a ${found.map((e) => e.type).join(' and a ')} definition: add --type`,
    );
  }
  return found[0] as DefinitionEntry;
}
