import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { loadConnectionConfig, type ConnectionConfig } from '../client/connection-config.js';
import { decodeEncryptionKey } from '../client/data-converter.js';
import { DEFAULT_TASK_QUEUE } from '../workflows/task-queue.js';
import { BUILD_ID_PATTERN, packageVersion, revelaBuildId } from './build-id.js';
import { cachedWorkflowsFor, memoryQuantity } from './memory.js';
import { DEFAULT_DEPLOYMENT_NAME, type WorkerVersioning } from './versioning.js';

const durationMs = z
  .string()
  .regex(/^\d+(ms|s|m)?$/, 'a duration such as 500ms, 10s or 1m')
  .transform((v) => {
    const m = /^(\d+)(ms|s|m)?$/.exec(v);
    const n = Number(m?.[1]);
    const unit = m?.[2] ?? 'ms';
    return unit === 'm' ? n * 60_000 : unit === 's' ? n * 1000 : n;
  });
const positiveInt = z.coerce.number().int().positive();

/**
 * `REVELA_*` variables. Every one is optional; an invalid value stops the worker at start with a
 * message naming the variable, rather than failing later inside an activity.
 */
export const RevelaEnvSchema = z.object({
  REVELA_TASK_QUEUE: z.string().min(1).default(DEFAULT_TASK_QUEUE),
  REVELA_KUBECONFIG: z.string().min(1).optional(),
  REVELA_CLUSTERS: z.string().min(1).optional(),
  REVELA_SHUTDOWN_GRACE: durationMs.default(10_000),
  REVELA_MAX_CONCURRENT_ACTIVITIES: positiveInt.default(100),
  REVELA_MAX_CONCURRENT_WORKFLOW_TASKS: positiveInt.default(40),
  /**
   * Memory the worker may use (`1Gi`): sizes the workflow cache so the worker stays within it
   * whatever the number of applications (worker/memory.ts). Set it to the container's limit.
   */
  REVELA_WORKER_MEMORY: memoryQuantity.optional(),
  /** Workflows kept in memory; overrides the size derived from `REVELA_WORKER_MEMORY`. */
  REVELA_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).optional(),
  REVELA_ENCRYPTION_KEY: z
    .string()
    .refine((v) => Buffer.from(v, 'base64').length === 32 || /^[0-9a-fA-F]{64}$/.test(v), {
      message: 'must be 32 bytes, as base64 or 64 hex characters (openssl rand -base64 32)',
    })
    .optional(),
  REVELA_ENCRYPTION_KEY_ID: z.string().min(1).default('default'),
  REVELA_HEALTH_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  REVELA_LOG_LEVEL: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR']).default('INFO'),
  REVELA_LOG_FORMAT: z.enum(['json', 'text']).default('json'),
  /** Worker Deployment build id. @default `<package version>-<workflow source hash>` */
  REVELA_BUILD_ID: z
    .string()
    .regex(BUILD_ID_PATTERN, 'letters, digits, ".", "_" and "-", at most 63, starting with a letter or digit')
    .optional(),
  /** The Worker Deployment this worker's versions belong to (one per Revela installation). */
  REVELA_DEPLOYMENT_NAME: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/, 'letters, digits, "_" and "-" (no "."), at most 63')
    .default(DEFAULT_DEPLOYMENT_NAME),
  /** `off` only for a Temporal server without Worker Deployments (before 1.28). */
  REVELA_WORKER_VERSIONING: z.enum(['on', 'off']).default('on'),
  /** `auto`: make this version current unless a newer release is; `never`: leave it to the operator. */
  REVELA_PROMOTE: z.enum(['auto', 'never']).default('auto'),
  /**
   * The release a manifest expects (deploy/kubernetes sets it beside the image tag): a worker of
   * another release refuses to start, so a Deployment named for one release never runs another.
   */
  REVELA_RELEASE: z.string().min(1).optional(),
});

export interface WorkerConfig {
  readonly connection: ConnectionConfig;
  readonly taskQueue: string;
  readonly kubeconfigPath: string;
  readonly clustersPath: string | undefined;
  readonly shutdownGraceMs: number;
  readonly maxConcurrentActivities: number;
  readonly maxConcurrentWorkflowTasks: number;
  /** Workflow cache size; `undefined` lets the SDK size it from the V8 heap limit. */
  readonly maxCachedWorkflows: number | undefined;
  /** `REVELA_WORKER_MEMORY` in bytes, when set. */
  readonly memoryBytes: number | undefined;
  readonly encryption: { readonly key: Buffer; readonly keyId: string } | undefined;
  readonly healthPort: number | undefined;
  readonly logLevel: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  readonly logFormat: 'json' | 'text';
  readonly versioning: WorkerVersioning;
}

export class WorkerConfigError extends Error {
  override readonly name = 'WorkerConfigError';
}

/**
 * Worker configuration: Temporal's environment conventions for the connection, `REVELA_*` for
 * the rest, and explicit overrides from `revela worker` flags on top.
 *
 * @throws WorkerConfigError naming every invalid variable
 */
export function loadWorkerConfig(
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<Pick<WorkerConfig, 'taskQueue' | 'maxConcurrentActivities' | 'healthPort'>> & {
    address?: string;
    namespace?: string;
  } = {},
): WorkerConfig {
  const parsed = RevelaEnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new WorkerConfigError(`invalid worker configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  if (e.REVELA_RELEASE !== undefined && e.REVELA_RELEASE !== packageVersion()) {
    throw new WorkerConfigError(
      `invalid worker configuration:\n  REVELA_RELEASE: this worker is release ${packageVersion()}, not ${
        e.REVELA_RELEASE
      } — deploy each release as its own Deployment (docs/upgrades.md) instead of changing the image of another`,
    );
  }
  const connection = loadConnectionConfig({
    env,
    address: overrides.address,
    namespace: overrides.namespace,
  });
  return {
    connection,
    taskQueue: overrides.taskQueue ?? e.REVELA_TASK_QUEUE,
    kubeconfigPath:
      e.REVELA_KUBECONFIG ?? env.KUBECONFIG?.split(':')[0] ?? join(homedir(), '.kube', 'config'),
    clustersPath: e.REVELA_CLUSTERS,
    shutdownGraceMs: e.REVELA_SHUTDOWN_GRACE,
    maxConcurrentActivities: overrides.maxConcurrentActivities ?? e.REVELA_MAX_CONCURRENT_ACTIVITIES,
    maxConcurrentWorkflowTasks: e.REVELA_MAX_CONCURRENT_WORKFLOW_TASKS,
    maxCachedWorkflows:
      e.REVELA_MAX_CACHED_WORKFLOWS ??
      (e.REVELA_WORKER_MEMORY !== undefined ? cachedWorkflowsFor(e.REVELA_WORKER_MEMORY) : undefined),
    memoryBytes: e.REVELA_WORKER_MEMORY,
    encryption: e.REVELA_ENCRYPTION_KEY
      ? { key: decodeEncryptionKey(e.REVELA_ENCRYPTION_KEY), keyId: e.REVELA_ENCRYPTION_KEY_ID }
      : undefined,
    healthPort: overrides.healthPort ?? e.REVELA_HEALTH_PORT,
    logLevel: e.REVELA_LOG_LEVEL,
    logFormat: e.REVELA_LOG_FORMAT,
    versioning: {
      enabled: e.REVELA_WORKER_VERSIONING === 'on',
      deploymentName: e.REVELA_DEPLOYMENT_NAME,
      buildId: e.REVELA_BUILD_ID ?? revelaBuildId({}),
      promote: e.REVELA_PROMOTE,
    },
  };
}
