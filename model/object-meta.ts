/**
 * Kubernetes names and object metadata as Revela accepts them. Only the fields Revela keeps are
 * parsed (name, namespace, labels, annotations); server-populated fields such as `uid`,
 * `resourceVersion` or `managedFields` are dropped at parse time so they never reach a snapshot or
 * its hash.
 *
 * Workflow-safe.
 */
import { z } from 'zod';
import { schema } from './schema-cache.js';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Kubernetes' wording, so users recognise the rule. */
export const DNS1123_LABEL_MESSAGE =
  "must be a lowercase RFC 1123 label: at most 63 lower case alphanumeric characters or '-', starting and ending with an alphanumeric character (e.g. 'my-name' or '123-abc')";
export const DNS1123_SUBDOMAIN_MESSAGE =
  "must be a lowercase RFC 1123 subdomain: at most 253 lower case alphanumeric characters, '-' or '.', starting and ending with an alphanumeric character (e.g. 'example.com')";

export function isDns1123Label(value: string): boolean {
  return value.length <= 63 && DNS1123_LABEL.test(value);
}

export function isDns1123Subdomain(value: string): boolean {
  return value.length <= 253 && DNS1123_SUBDOMAIN.test(value);
}

/** Kinds whose names Kubernetes checks as RFC 1123 labels (DNS-1035 for Services) rather than subdomains. */
const LABEL_NAMED_KINDS: ReadonlySet<string> = new Set(['Namespace', 'Service']);

/** Why Kubernetes would refuse `name` for an object of `kind`, or undefined when it accepts it. */
export function objectNameProblem(kind: string, name: string): string | undefined {
  if (LABEL_NAMED_KINDS.has(kind)) return isDns1123Label(name) ? undefined : DNS1123_LABEL_MESSAGE;
  return isDns1123Subdomain(name) ? undefined : DNS1123_SUBDOMAIN_MESSAGE;
}

const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

// Label keys Kubernetes accepts, as seen so far: every rendered object carries the same handful
// (app.oam.dev/name, …), checked twice per object; the two regular expressions over them were
// most of the cost of checking labels. Bounded, since keys come from templates and users.
const ACCEPTED_KEYS_LIMIT = 1000;
const acceptedKeys = new Set<string>();

function labelKeyProblem(key: string): string | undefined {
  if (acceptedKeys.has(key)) return undefined;
  const slash = key.lastIndexOf('/');
  const prefix = slash === -1 ? undefined : key.slice(0, slash);
  const name = slash === -1 ? key : key.slice(slash + 1);
  if (prefix !== undefined && !isDns1123Subdomain(prefix))
    return `the key's prefix "${prefix}" ${DNS1123_SUBDOMAIN_MESSAGE}`;
  if (name.length > 63 || !LABEL_NAME.test(name)) {
    return `the key "${key}" must be at most 63 characters of [A-Za-z0-9._-], starting and ending with an alphanumeric character (with an optional DNS prefix and '/')`;
  }
  if (acceptedKeys.size >= ACCEPTED_KEYS_LIMIT) acceptedKeys.clear();
  acceptedKeys.add(key);
  return undefined;
}

/** Why Kubernetes would refuse this label (`prefix/name: value`), or undefined when it accepts it. */
export function labelProblem(key: string, value: unknown): string | undefined {
  const keyProblem = labelKeyProblem(key);
  if (keyProblem !== undefined) return keyProblem;
  if (typeof value !== 'string')
    return `the value must be a string, not ${JSON.stringify(value) ?? 'nothing'}`;
  if (value !== '' && (value.length > 63 || !LABEL_NAME.test(value))) {
    return `the value ${JSON.stringify(value)} must be empty or at most 63 characters of [A-Za-z0-9._-], starting and ending with an alphanumeric character`;
  }
  return undefined;
}

/** Names of applications, components, policies, steps, namespaces. */
export const Dns1123LabelSchema = schema('object-meta/Dns1123LabelSchema', () =>
  z.string().refine(isDns1123Label, { message: DNS1123_LABEL_MESSAGE }),
);

/** Names of definitions (which may contain dots, as KubeVela's `deployments.apps`). */
export const Dns1123SubdomainSchema = schema('object-meta/Dns1123SubdomainSchema', () =>
  z.string().refine(isDns1123Subdomain, { message: DNS1123_SUBDOMAIN_MESSAGE }),
);

const StringMapSchema = schema('object-meta/StringMapSchema', () => z.record(z.string(), z.string()));

/**
 * The longest application name. Every applied object carries the revision name `<app>-v<N>` as the
 * `app.oam.dev/revision` label value, which Kubernetes limits to 63 characters: a longer name would
 * pass here and only fail at apply time, on the cluster, after the revision was recorded. 53 leaves
 * room for `-v` and eight digits (Helm limits release names to 53 for the same reason).
 */
export const APPLICATION_NAME_MAX_LENGTH = 53;

/** Names of applications: RFC 1123 labels short enough for their revision names. */
export const ApplicationNameSchema = schema('object-meta/ApplicationNameSchema', () =>
  Dns1123LabelSchema.refine((value) => value.length <= APPLICATION_NAME_MAX_LENGTH, {
    message: `must be at most ${APPLICATION_NAME_MAX_LENGTH} characters, so that its revision names (<name>-v<N>) fit in a Kubernetes label value (63 characters)`,
  }),
);

/** Metadata of an Application: the namespace defaults to `default`, as kubectl does. */
export const ApplicationMetaSchema = schema('object-meta/ApplicationMetaSchema', () =>
  z.object({
    name: ApplicationNameSchema,
    namespace: Dns1123LabelSchema.default('default'),
    labels: StringMapSchema.optional(),
    annotations: StringMapSchema.optional(),
  }),
);
export type ApplicationMeta = z.infer<typeof ApplicationMetaSchema>;

/**
 * Metadata of catalog objects (external policies and workflows): the namespace is optional, the
 * catalog it is applied to decides.
 */
export const CatalogObjectMetaSchema = schema('object-meta/CatalogObjectMetaSchema', () =>
  z.object({
    name: Dns1123LabelSchema,
    namespace: Dns1123LabelSchema.optional(),
    labels: StringMapSchema.optional(),
    annotations: StringMapSchema.optional(),
  }),
);
export type CatalogObjectMeta = z.infer<typeof CatalogObjectMetaSchema>;

/** Metadata of definitions, whose names may be subdomains. */
export const DefinitionMetaSchema = schema('object-meta/DefinitionMetaSchema', () =>
  CatalogObjectMetaSchema.extend({ name: Dns1123SubdomainSchema }),
);
export type DefinitionMeta = z.infer<typeof DefinitionMetaSchema>;

/** `properties` of components, traits, policies and steps: any JSON object. */
export const PropertiesSchema = schema('object-meta/PropertiesSchema', () =>
  z.record(z.string(), z.unknown()),
);
