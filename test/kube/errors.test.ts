import { ApiException } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { classifyKubeError, KubeApiError } from '../../kube/errors.js';

const ctx = {
  cluster: 'hangzhou1',
  verb: 'apply',
  object: 'Deployment/podinfo',
  server: 'https://10.0.0.1:6443',
};

function status(code: number, reason: string, message: string, details?: unknown): string {
  return JSON.stringify({
    kind: 'Status',
    apiVersion: 'v1',
    status: 'Failure',
    code,
    reason,
    message,
    details,
  });
}

describe('classifyKubeError', () => {
  it('reads the Status the server sent and formats one line naming cluster, verb and object', () => {
    const err = classifyKubeError(
      new ApiException(
        422,
        'Unsuccessful HTTP Request',
        status(422, 'Invalid', 'Deployment.apps "podinfo" is invalid: spec.replicas: Invalid value: -1'),
        {},
      ),
      ctx,
    );
    expect(err).toBeInstanceOf(KubeApiError);
    expect(err.message).toBe(
      'hangzhou1: apply Deployment/podinfo: Deployment.apps "podinfo" is invalid: spec.replicas: Invalid value: -1 (HTTP 422 Invalid)',
    );
    expect(err).toMatchObject({
      type: 'KubePermanent',
      retryable: false,
      status: 422,
      reason: 'Invalid',
      cluster: 'hangzhou1',
      verb: 'apply',
      object: 'Deployment/podinfo',
    });
    expect(err.cause).toBeInstanceOf(ApiException);
  });

  it('decides by status, never by message text', () => {
    const misleading = classifyKubeError(
      new ApiException(500, 'x', status(500, 'InternalError', 'object not found, forbidden, invalid'), {}),
      ctx,
    );
    expect(misleading.retryable).toBe(true);
    const calm = classifyKubeError(
      new ApiException(403, 'x', status(403, 'Forbidden', 'temporarily unavailable, please retry'), {}),
      ctx,
    );
    expect(calm.retryable).toBe(false);
  });

  it('honours Retry-After as seconds, as an HTTP date, or from the Status details', () => {
    const seconds = classifyKubeError(
      new ApiException(429, 'x', status(429, 'TooManyRequests', 'slow down'), { 'retry-after': '7' }),
      ctx,
    );
    expect(seconds).toMatchObject({ retryable: true, retryAfterMs: 7_000 });
    const date = new Date(Date.now() + 10_000).toUTCString();
    const dated = classifyKubeError(
      new ApiException(503, 'x', status(503, 'ServiceUnavailable', 'busy'), { 'Retry-After': date }),
      ctx,
    );
    expect(dated.retryAfterMs).toBeGreaterThan(7_000);
    expect(dated.retryAfterMs).toBeLessThanOrEqual(10_000);
    const fromDetails = classifyKubeError(
      new ApiException(429, 'x', status(429, 'TooManyRequests', 'slow down', { retryAfterSeconds: 2 }), {}),
      ctx,
    );
    expect(fromDetails.retryAfterMs).toBe(2_000);
  });

  it('keeps the conflict causes of an apply conflict', () => {
    const causes = [
      {
        reason: 'FieldManagerConflict',
        message: 'conflict with "hpa" using apps/v1',
        field: '.spec.replicas',
      },
    ];
    const err = classifyKubeError(
      new ApiException(
        409,
        'x',
        status(
          409,
          'Conflict',
          'Apply failed with 1 conflict: conflict with "hpa" using apps/v1: .spec.replicas',
          { causes },
        ),
        {},
      ),
      ctx,
    );
    expect(err).toMatchObject({ type: 'KubePermanent', status: 409, causes });
  });

  it('copes with a body that is not a Status (a proxy page)', () => {
    const err = classifyKubeError(new ApiException(502, 'x', '<html>Bad Gateway</html>', {}), ctx);
    expect(err).toMatchObject({ retryable: true, status: 502, reason: 'BadGateway' });
    expect(err.message).toBe(
      'hangzhou1: apply Deployment/podinfo: the server answered 502 (HTTP 502 BadGateway)',
    );
  });

  it.each([
    [
      'a refused connection',
      Object.assign(new Error('connect ECONNREFUSED'), {
        name: 'FetchError',
        type: 'system',
        code: 'ECONNREFUSED',
      }),
      'ECONNREFUSED',
      true,
    ],
    [
      'a reset connection (socket hang up)',
      Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
      'ECONNRESET',
      true,
    ],
    ['a broken pipe', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }), 'EPIPE', true],
    [
      'a temporary DNS failure',
      Object.assign(new Error('getaddrinfo EAI_AGAIN'), { code: 'EAI_AGAIN' }),
      'EAI_AGAIN',
      true,
    ],
    [
      'a socket timeout',
      Object.assign(new Error('connect ETIMEDOUT'), { code: 'ETIMEDOUT' }),
      'ETIMEDOUT',
      true,
    ],
    [
      'an error wrapped by fetch',
      new TypeError('fetch failed', { cause: Object.assign(new Error('x'), { code: 'ECONNREFUSED' }) }),
      'ECONNREFUSED',
      true,
    ],
    [
      'an aborted request',
      Object.assign(new Error('The user aborted a request.'), { name: 'AbortError', type: 'aborted' }),
      'ABORT_ERR',
      true,
    ],
    [
      'a DOM timeout',
      new DOMException('The operation was aborted due to timeout', 'TimeoutError'),
      'ETIMEDOUT',
      true,
    ],
    [
      'an unknown host',
      Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' }),
      'ENOTFOUND',
      false,
    ],
    [
      'an untrusted certificate',
      Object.assign(new Error('self signed'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }),
      'DEPTH_ZERO_SELF_SIGNED_CERT',
      false,
    ],
  ])('classifies %s by its code', (_what, error, code, retryable) => {
    const err = classifyKubeError(error, ctx);
    expect(err).toMatchObject({ code, retryable, type: retryable ? 'KubeRetryable' : 'KubePermanent' });
    expect(err.status).toBeUndefined();
    expect(err.message).toContain(`(${code})`);
    expect(err.message).toContain('https://10.0.0.1:6443');
  });

  it('treats a failure with neither status nor code as permanent, so bugs are not retried forever', () => {
    const err = classifyKubeError(
      new TypeError("Cannot read properties of undefined (reading 'metadata')"),
      ctx,
    );
    expect(err).toMatchObject({ type: 'KubePermanent', retryable: false });
    expect(err.message).toBe(
      "hangzhou1: apply Deployment/podinfo: Cannot read properties of undefined (reading 'metadata')",
    );
  });

  it('passes a KubeApiError through unchanged and reads the status of a failed watch', () => {
    const original = new KubeApiError('x', { cluster: 'c', verb: 'read', retryable: true });
    expect(classifyKubeError(original, ctx)).toBe(original);
    const watch = classifyKubeError(Object.assign(new Error('Gone'), { statusCode: 410 }), {
      cluster: 'c',
      verb: 'watch',
      object: 'Deployment',
    });
    expect(watch).toMatchObject({ status: 410, retryable: false, reason: 'Gone' });
  });
});
