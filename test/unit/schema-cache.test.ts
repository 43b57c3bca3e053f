import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ApplicationSchema } from '../../model/application.js';
import { schema } from '../../model/schema-cache.js';

describe('schema cache', () => {
  it('builds a schema once per key: asking again returns the first one', () => {
    let builds = 0;
    const build = () => {
      builds++;
      return z.object({ name: z.string() });
    };
    const first = schema('test/Named', build);
    const second = schema('test/Named', build);
    expect(second).toBe(first);
    expect(builds).toBe(1);
    expect(second.parse({ name: 'podinfo' })).toEqual({ name: 'podinfo' });
  });

  it('model schemas built through it still parse and refuse as before', () => {
    const app = {
      apiVersion: 'core.oam.dev/v1beta1',
      kind: 'Application',
      metadata: { name: 'podinfo' },
      spec: { components: [{ name: 'podinfo', type: 'webservice', traits: null }] },
    };
    expect(ApplicationSchema.parse(app).metadata.namespace).toBe('default');
    const bad = ApplicationSchema.safeParse({ ...app, metadata: { name: 'Pod_Info' } });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual(['metadata', 'name']);
  });
});
