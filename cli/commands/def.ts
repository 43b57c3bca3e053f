import { Command, Option } from 'commander';
import { loadBuiltinDefinitions } from '../../definitions/index.js';
import type { RevelaClient } from '../../client/revela-client.js';
import { SYSTEM_NAMESPACE } from '../../model/ids.js';
import type { CliContext } from '../context.js';
import { DEFINITION_TYPES, type CatalogLayer } from '../definition-index.js';
import { defApplyCommand } from './def-apply.js';
import { defDeleteCommand } from './def-delete.js';
import { defGetCommand } from './def-get.js';
import { defListCommand } from './def-list.js';

/** `--type component|trait|policy|workflow-step`. */
export function typeOption(): Option {
  return new Option('-t, --type <type>', 'the kind of definition').choices(DEFINITION_TYPES);
}

/** Built-ins, `vela-system`, and the namespace (when it is another one): what an application there sees. */
export async function catalogLayers(client: RevelaClient, namespace: string): Promise<CatalogLayer[]> {
  const layers: CatalogLayer[] = [
    { source: 'built-in', view: loadBuiltinDefinitions() },
    { source: SYSTEM_NAMESPACE, view: await client.getCatalog(SYSTEM_NAMESPACE) },
  ];
  if (namespace !== SYSTEM_NAMESPACE)
    layers.push({ source: namespace, view: await client.getCatalog(namespace) });
  return layers;
}

/** The namespace definitions are written to: `-n` when given, else `vela-system` (as in KubeVela). */
export function definitionNamespace(globals: { namespace: string; namespaceGiven: boolean }): string {
  return globals.namespaceGiven ? globals.namespace : SYSTEM_NAMESPACE;
}

/** `revela def list|get|apply|delete`. */
export function defCommand(ctx: CliContext): Command {
  return new Command('def')
    .summary('list, show, apply and delete component, trait, policy and workflow-step definitions')
    .addCommand(defListCommand(ctx))
    .addCommand(defGetCommand(ctx))
    .addCommand(defApplyCommand(ctx))
    .addCommand(defDeleteCommand(ctx))
    .addHelpText(
      'after',
      `
Examples:
  revela def list
  revela def get webservice -o yaml
  revela def apply -f my-trait.yaml
  revela def delete my-trait --type trait`,
    );
}
