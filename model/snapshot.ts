/**
 * The revision snapshot: everything a revision workflow needs, by value, so that it reads nothing
 * else while it runs and so that re-publishing or rolling back reproduces exactly what ran.
 * Built by `snapshot-builder.ts`; this file holds the shape only.
 *
 * Workflow-safe.
 */
import { z } from 'zod';
import { ApplicationSchema } from './application.js';
import {
  ComponentDefinitionSchema,
  PolicyDefinitionSchema,
  TraitDefinitionSchema,
  WorkflowStepDefinitionSchema,
} from './definition.js';
import type { KubeObject } from './kube-object.js';
import { PolicySchema } from './policy.js';
import { WorkflowSchema } from './workflow.js';

/** Snapshots above this many bytes of canonical JSON are refused. */
export const SNAPSHOT_MAX_BYTES = 1024 * 1024;

export const KubeObjectSchema: z.ZodType<KubeObject> = z.looseObject({
  apiVersion: z.string().min(1),
  kind: z.string().min(1),
  metadata: z.looseObject({
    name: z.string().min(1),
    namespace: z.string().optional(),
    labels: z.record(z.string(), z.string()).optional(),
    annotations: z.record(z.string(), z.string()).optional(),
  }),
});

/**
 * An object read by a `ref-objects` component, as recorded in the snapshot: volatile metadata and
 * status removed; a Secret is recorded as `{apiVersion, kind, metadata: {name, namespace},
 * dataSha256}` and never with its data.
 */
export const ReferencedObjectSchema = z.object({
  cluster: z.string(),
  object: KubeObjectSchema,
});
export type ReferencedObject = z.infer<typeof ReferencedObjectSchema>;

export const RevisionSnapshotSchema = z.object({
  /** The application, status removed. The publishVersion annotation is kept but not hashed. */
  application: ApplicationSchema,
  /** The definitions the application uses, by name (and only those). */
  componentDefinitions: z.record(z.string(), ComponentDefinitionSchema),
  traitDefinitions: z.record(z.string(), TraitDefinitionSchema),
  policyDefinitions: z.record(z.string(), PolicyDefinitionSchema),
  workflowStepDefinitions: z.record(z.string(), WorkflowStepDefinitionSchema),
  /** External policies referenced by deploy steps, by name. */
  externalPolicies: z.record(z.string(), PolicySchema),
  /** The workflow named by `spec.workflow.ref`. */
  externalWorkflow: WorkflowSchema.optional(),
  referencedObjects: z.array(ReferencedObjectSchema),
  /** First 16 hex characters of the SHA-256 of the canonical content (see `hash.ts`). */
  hash: z.string().regex(/^[0-9a-f]{16}$/),
  /** Bytes of the canonical JSON of the content. */
  size: z.number().int().nonnegative(),
  /**
   * The clusters placement chose from, as the registry listed them at publish: a revision and a
   * rollback to it render against these, so a registry change never moves them (a cluster that
   * disappeared fails its step). Not part of the hash, which is the application's content.
   * Absent in snapshots published before placement was frozen: they render against the registry.
   */
  clusters: z.array(z.object({ name: z.string(), labels: z.record(z.string(), z.string()) })).optional(),
});
export type RevisionSnapshot = z.infer<typeof RevisionSnapshotSchema>;

/** The parts of a snapshot that are content (everything but `hash`, `size` and the frozen clusters). */
export type SnapshotContent = Omit<RevisionSnapshot, 'hash' | 'size' | 'clusters'>;
