import { loadClientConnectConfig } from '@temporalio/envconfig';
import type { NativeConnectionOptions } from '@temporalio/worker';

/** Where Revela's Temporal service is and how to reach it. */
export interface ConnectionConfig {
  /** `host:port`. @default "localhost:7233" (the dev stack) */
  readonly address: string;
  /** @default "default" */
  readonly namespace: string;
  /** Everything else Temporal's conventions gave (TLS, API key, gRPC metadata). */
  readonly connectionOptions: NativeConnectionOptions;
}

export interface ConnectionOverrides {
  readonly address?: string;
  readonly namespace?: string;
  /** Environment to read; @default process.env */
  readonly env?: NodeJS.ProcessEnv;
}

export const DEFAULT_TEMPORAL_ADDRESS = 'localhost:7233';
export const DEFAULT_TEMPORAL_NAMESPACE = 'default';

/**
 * Reads Temporal's standard configuration (`TEMPORAL_ADDRESS`, `TEMPORAL_NAMESPACE`,
 * `TEMPORAL_API_KEY`, `TEMPORAL_TLS_*`, `TEMPORAL_PROFILE` and the `temporal.toml` profile file)
 * through `@temporalio/envconfig`, so Revela connects wherever the `temporal` CLI would.
 * Explicit overrides (CLI flags) win.
 */
export function loadConnectionConfig(overrides: ConnectionOverrides = {}): ConnectionConfig {
  const env = overrides.env ?? process.env;
  const envVars = Object.fromEntries(
    Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined),
  );
  const loaded = loadClientConnectConfig({ overrideEnvVars: envVars });
  const address = overrides.address ?? loaded.connectionOptions.address ?? DEFAULT_TEMPORAL_ADDRESS;
  const namespace = overrides.namespace ?? loaded.namespace ?? DEFAULT_TEMPORAL_NAMESPACE;
  return { address, namespace, connectionOptions: { ...loaded.connectionOptions, address } };
}
