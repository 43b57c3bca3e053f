/**
 * Kubernetes names and object metadata as Revela accepts them. Only the fields Revela keeps are
 * parsed (name, namespace, labels, annotations); server-populated fields such as `uid`,
 * `resourceVersion` or `managedFields` are dropped at parse time so they never reach a snapshot or
 * its hash.
 *
 * Workflow-safe.
 */
import { z } from 'zod';

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

/** Names of applications, components, policies, steps, namespaces. */
export const Dns1123LabelSchema = z.string().refine(isDns1123Label, { message: DNS1123_LABEL_MESSAGE });

/** Names of definitions (which may contain dots, as KubeVela's `deployments.apps`). */
export const Dns1123SubdomainSchema = z.string().refine(isDns1123Subdomain, { message: DNS1123_SUBDOMAIN_MESSAGE });

const StringMapSchema = z.record(z.string(), z.string());

/** Metadata of an Application: the namespace defaults to `default`, as kubectl does. */
export const ApplicationMetaSchema = z.object({
  name: Dns1123LabelSchema,
  namespace: Dns1123LabelSchema.default('default'),
  labels: StringMapSchema.optional(),
  annotations: StringMapSchema.optional(),
});
export type ApplicationMeta = z.infer<typeof ApplicationMetaSchema>;

/**
 * Metadata of catalog objects (external policies and workflows): the namespace is optional, the
 * catalog it is applied to decides.
 */
export const CatalogObjectMetaSchema = z.object({
  name: Dns1123LabelSchema,
  namespace: Dns1123LabelSchema.optional(),
  labels: StringMapSchema.optional(),
  annotations: StringMapSchema.optional(),
});
export type CatalogObjectMeta = z.infer<typeof CatalogObjectMetaSchema>;

/** Metadata of definitions, whose names may be subdomains. */
export const DefinitionMetaSchema = CatalogObjectMetaSchema.extend({ name: Dns1123SubdomainSchema });
export type DefinitionMeta = z.infer<typeof DefinitionMetaSchema>;

/** `properties` of components, traits, policies and steps: any JSON object. */
export const PropertiesSchema = z.record(z.string(), z.unknown());
