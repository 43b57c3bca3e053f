import { expect } from 'vitest';
import { KubeApiError } from '../../../kube/errors.js';

/** The KubeApiError `promise` rejects with; fails the test when it resolves or rejects otherwise. */
export async function failure(promise: Promise<unknown>): Promise<KubeApiError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(KubeApiError);
    return err as KubeApiError;
  }
  throw new Error('expected the call to fail');
}
