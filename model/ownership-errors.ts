/**
 * Why Revela refuses to write an object. Each names the object (`Deployment shop/api`) and, where
 * there is one, the application that owns it; activities turn them into non-retryable failures of
 * the same `type`, so the step fails at once and nothing is written.
 *
 * Workflow-safe: this file imports only types.
 */
import type { AppRef } from './ownership-metadata.js';

export const OWNERSHIP_ERROR_TYPES = [
  'ResourceOwnedByOtherApp',
  'ResourceNotManaged',
  'ReadOnlyResourceMissing',
] as const;
export type OwnershipErrorType = (typeof OWNERSHIP_ERROR_TYPES)[number];

/** `Deployment shop/api`, or `Namespace shop` for a cluster-scoped object. */
export function objectText(object: { kind: string; metadata: { name: string; namespace?: string } }): string {
  const { name, namespace } = object.metadata;
  return `${object.kind} ${namespace === undefined ? '' : `${namespace}/`}${name}`;
}

export class OwnershipError extends Error {
  override readonly name = 'OwnershipError';
  constructor(
    readonly type: OwnershipErrorType,
    /** `Deployment shop/api`. */
    readonly object: string,
    message: string,
    /** The application that owns the object, when another one does. */
    readonly owner?: AppRef,
  ) {
    super(message);
  }

  toJSON(): { type: string; object: string; message: string; owner?: AppRef } {
    return {
      type: this.type,
      object: this.object,
      message: this.message,
      ...(this.owner ? { owner: this.owner } : {}),
    };
  }
}
