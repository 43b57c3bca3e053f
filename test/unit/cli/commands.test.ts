import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NoWorkerError, RequestRejectedError, TemporalUnreachableError } from '../../../client/errors.js';
import { planUp } from '../../../cli/commands/up.js';
import { parseRevisionPair } from '../../../cli/commands/live-diff.js';
import { devEnvironment } from '../../../cli/commands/dev.js';
import { findDefinition, indexDefinitions } from '../../../cli/definition-index.js';
import { CliUsageError, CommandFailedError, describeFailure } from '../../../cli/errors.js';
import { loadInputs } from '../../../cli/load-inputs.js';
import { loadBuiltinDefinitions } from '../../../definitions/index.js';
import { InvalidDocumentError } from '../../../model/errors.js';

const EXAMPLE = new URL('../../../examples/podinfo/', import.meta.url).pathname;

describe('up', () => {
  it('re-publishes a revision of the application it names', () => {
    expect(planUp(undefined, { revision: 'podinfo-v1', publishVersion: 'beta1' })).toEqual({
      kind: 'republish',
      name: 'podinfo',
      revision: 'podinfo-v1',
      publishVersion: 'beta1',
    });
  });

  it('publishes the saved draft only under a new version', () => {
    expect(planUp('podinfo', { publishVersion: 'alpha2' })).toEqual({
      kind: 'draft',
      name: 'podinfo',
      publishVersion: 'alpha2',
    });
    expect(() => planUp('podinfo', {})).toThrow(/add --publish-version/);
  });

  it('refuses combinations that cannot work', () => {
    expect(() => planUp(undefined, {})).toThrow(CliUsageError);
    expect(() => planUp('podinfo', { revision: 'podinfo-v1' })).toThrow(/needs a new version/);
    expect(() => planUp('other', { revision: 'podinfo-v1', publishVersion: 'x' })).toThrow(
      /belongs to application "podinfo"/,
    );
    expect(() => planUp(undefined, { revision: 'podinfo', publishVersion: 'x' })).toThrow(
      /not a revision name/,
    );
    expect(() =>
      planUp(undefined, { revision: 'podinfo-v1', publishVersion: 'x', file: ['a.yaml'] }),
    ).toThrow(/does not take -f/);
  });

  it('applies files, optionally under a version', () => {
    expect(planUp(undefined, { file: ['app.yaml'], publishVersion: 'v2' })).toEqual({
      kind: 'files',
      files: ['app.yaml'],
      publishVersion: 'v2',
    });
  });
});

describe('live-diff --revision', () => {
  it('takes one revision or two', () => {
    expect(parseRevisionPair('podinfo', undefined)).toEqual([]);
    expect(parseRevisionPair('podinfo', 'podinfo-v1')).toEqual(['podinfo-v1']);
    expect(parseRevisionPair('podinfo', 'podinfo-v1, podinfo-v2')).toEqual(['podinfo-v1', 'podinfo-v2']);
    expect(() => parseRevisionPair('podinfo', 'podinfo-v1,podinfo-v2,podinfo-v3')).toThrow(CliUsageError);
    expect(() => parseRevisionPair('podinfo', 'other-v1')).toThrow(/belongs to application "other"/);
  });
});

describe('failures', () => {
  it('are one line with the cause and the next step', () => {
    expect(describeFailure(new TemporalUnreachableError('127.0.0.1:1', new Error('ECONNREFUSED')))).toEqual({
      lines: [
        'error: cannot reach Temporal at 127.0.0.1:1 — start the dev stack with `npm start`, or point TEMPORAL_ADDRESS (or --address) at your Temporal service',
      ],
      exitCode: 1,
    });
    expect(describeFailure(new NoWorkerError('revela', 'localhost:7233')).lines).toEqual([
      'error: no worker is polling task queue "revela" on localhost:7233 — start one with `npm start` or `revela worker`',
    ]);
    expect(
      describeFailure(
        new RequestRejectedError('PublishVersionInUse', 'publishVersion beta1 is the current one'),
      ).lines,
    ).toEqual(['error: publishVersion beta1 is the current one']);
  });

  it('name the file, document and path of a model error', () => {
    const err = new InvalidDocumentError('must be a string', {
      object: 'Application examples/podinfo',
      path: 'spec.components[0].name',
      source: { file: 'app.yaml', index: 0 },
    });
    expect(describeFailure(err).lines[0]).toBe(`error: ${err.message}`);
    expect(err.message).toContain('app.yaml');
  });

  it('exit 2 for usage errors and 1 for failed commands', () => {
    expect(describeFailure(new CliUsageError('x')).exitCode).toBe(2);
    expect(describeFailure(new CommandFailedError('podinfo-v3 ended Failed')).exitCode).toBe(1);
  });

  it('show the stack only with DEBUG=revela', () => {
    const err = new Error('boom', { cause: new Error('root cause') });
    expect(describeFailure(err).lines).toEqual(['error: boom (DEBUG=revela shows the stack)']);
    const debug = describeFailure(err, true).lines.join('\n');
    expect(debug).toContain('caused by:');
    expect(debug).toContain('root cause');
  });

  it('explain missing files in one line', () => {
    const err = Object.assign(new Error("ENOENT: no such file or directory, stat 'nope.yaml'"), {
      code: 'ENOENT',
      path: 'nope.yaml',
    });
    expect(describeFailure(err).lines).toEqual(['error: cannot read nope.yaml: no such file or directory']);
  });
});

describe('-f inputs', () => {
  it('reads a directory and skips files that are not manifests, saying so', async () => {
    const skipped: string[] = [];
    const docs = await loadInputs([EXAMPLE, join(EXAMPLE, 'registry')], {
      onSkip: (file) => skipped.push(file),
    });
    expect(docs.map((d) => `${d.kind}/${d.metadata.name}`)).toEqual([
      'Application/podinfo',
      'Policy/override-high-availability',
      'Policy/topology-hangzhou-clusters',
      'Workflow/make-release-in-hangzhou',
    ]);
    expect(skipped).toEqual([join(EXAMPLE, 'registry', 'clusters.yaml')]);
  });

  it('gives documents without a namespace the -n namespace', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'revela-cli-'));
    const file = join(dir, 'app.yaml');
    await writeFile(
      file,
      'apiVersion: core.oam.dev/v1beta1\nkind: Application\nmetadata:\n  name: web\nspec:\n  components: []\n',
    );
    const [doc] = await loadInputs([file], { defaultNamespace: 'team-a' });
    expect(doc?.metadata.namespace).toBe('team-a');
  });

  it('reports a broken file strictly, even in a directory', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'revela-cli-'));
    await writeFile(join(dir, 'bad.yaml'), 'kind: Application\nmetadata: [\n');
    await expect(loadInputs([dir])).rejects.toThrow(/bad\.yaml/);
  });
});

describe('definitions', () => {
  it('lists each name once, from the layer that wins', () => {
    const builtins = loadBuiltinDefinitions();
    const scaler = builtins.traitDefinitions.scaler;
    if (!scaler) throw new Error('built-in scaler missing');
    const custom = { ...scaler, spec: { ...scaler.spec, version: '2.0.0' } };
    const entries = indexDefinitions([
      { source: 'built-in', view: builtins },
      { source: 'vela-system', view: { traitDefinitions: { scaler: custom } } },
    ]);
    expect(findDefinition(entries, 'scaler')).toMatchObject({
      type: 'trait',
      source: 'vela-system',
      version: '2.0.0',
    });
    expect(entries.filter((e) => e.name === 'webservice')).toHaveLength(1);
    expect(() => findDefinition(entries, 'nope')).toThrow(/no definition named "nope"/);
  });
});

describe('process commands', () => {
  it('turn dev flags into the variables npm start reads', () => {
    expect(devEnvironment({ stateDir: '/tmp/x', port: 7300, podReadyDelayMs: 1500 })).toEqual({
      REVELA_STATE_DIR: '/tmp/x',
      REVELA_DEV_PORT: '7300',
      REVELA_POD_READY_DELAY_MS: '1500',
    });
  });
});
