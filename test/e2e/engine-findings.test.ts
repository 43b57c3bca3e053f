import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application } from '../../model/application.js';
import { eventually, startTestStack, type TestStack } from '../harness/stack.js';

/**
 * Engine behaviour found while building the CLI and the demo, kept as tests of what a user (or
 * the Temporal UI) should see. See the CLI issue report for details.
 */

function app(image: string, publishVersion: string): Application {
  return {
    apiVersion: 'core.oam.dev/v1beta1',
    kind: 'Application',
    metadata: {
      name: 'phase',
      namespace: 'default',
      annotations: { 'app.oam.dev/publishVersion': publishVersion },
    },
    spec: { components: [{ name: 'web', type: 'webservice', properties: { image } }] },
  };
}

describe('visibility of a rolled-back revision', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('a rolled-back revision is found as RevelaPhase="RolledBack", as `revision list` shows it', async () => {
    const ref = { name: 'phase', namespace: 'default' };
    await stack.client.apply([app('nginx:1', 'v1')]);
    await stack.client.waitForRevision(ref, 'phase-v1', { timeoutMs: 60_000 });
    await stack.client.apply([app('nginx:1.xxx', 'v2')]);
    await eventually('phase-v2 to wait for health', async () =>
      (await stack.client.status(ref)).waiting.length > 0 ? true : undefined,
    );
    await stack.client.rollback(ref);
    expect((await stack.client.listRevisions(ref)).find((r) => r.name === 'phase-v2')?.status).toBe(
      'RolledBack',
    );

    // The entity says RolledBack; the revision workflow's own search attribute should agree, so
    // an operator filtering the Temporal UI by RevelaPhase finds it.
    const phaseOf = async () => {
      for await (const wf of stack.temporal.workflow.list({ query: `WorkflowId="rev/default/phase-v2"` })) {
        const value = (wf.searchAttributes as Record<string, unknown[] | undefined>).RevelaPhase?.[0];
        if (typeof value === 'string' && value !== 'Executing') return value;
      }
      return undefined;
    };
    const phase = await eventually('the final RevelaPhase of phase-v2', phaseOf, { timeoutMs: 20_000 });
    expect(phase).toBe('RolledBack');
  });
});
