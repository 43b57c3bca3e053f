import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';
import { afterEach, describe, expect, it } from 'vitest';
import { loadDocuments } from '../../cli/load-documents.js';
import { parseYamlDocuments } from '../../model/loader.js';
import { compileModel } from './helpers/compile-model.js';
import { PODINFO_DIR, readFixture } from './helpers/podinfo.js';

describe('reading YAML documents', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('reads every document of a multi-document file and skips empty ones', () => {
    const docs = parseYamlDocuments(
      `---\n# nothing here\n---\n${readFixture('podinfo/policies.yaml')}\n---\n`,
      'policies.yaml',
    );
    expect(docs.map((d) => `${d.kind} ${d.metadata.name}`)).toEqual([
      'Policy override-high-availability',
      'Policy topology-hangzhou-clusters',
    ]);
  });

  it('gives an application without a namespace the default namespace, and keeps catalog objects unbound', () => {
    const [app, policy] = parseYamlDocuments(
      'apiVersion: core.oam.dev/v1beta1\nkind: Application\nmetadata: {name: a}\nspec: {components: []}\n---\n' +
        'apiVersion: core.oam.dev/v1alpha1\nkind: Policy\nmetadata: {name: p}\ntype: topology\n',
    );
    expect(app?.metadata.namespace).toBe('default');
    expect(policy?.metadata.namespace).toBeUndefined();
  });

  it('drops server-populated metadata so it never reaches a snapshot', () => {
    const [app] = parseYamlDocuments(
      'apiVersion: core.oam.dev/v1beta1\nkind: Application\nmetadata: {name: a, uid: x, resourceVersion: "7", generation: 2}\nspec: {components: []}\n',
    );
    expect(app?.metadata).toEqual({ name: 'a', namespace: 'default' });
  });

  it('loads a directory of YAML files in name order, ignoring other files', async () => {
    dir = mkdtempSync(join(tmpdir(), 'revela-loader-'));
    writeFileSync(join(dir, 'b-workflow.yml'), readFixture('podinfo/workflow.yaml'));
    writeFileSync(join(dir, 'a-app.yaml'), readFixture('podinfo/app.yaml'));
    writeFileSync(join(dir, 'README.md'), '# not yaml');
    const docs = await loadDocuments(dir);
    expect(docs.map((d) => d.kind)).toEqual(['Application', 'Workflow']);
  });

  it('loads a single file', async () => {
    const docs = await loadDocuments(`${PODINFO_DIR}app.yaml`);
    expect(docs).toHaveLength(1);
    expect(docs[0]?.metadata.name).toBe('podinfo');
  });

  it('refuses a file that is not a Revela document, naming the file and document', async () => {
    await expect(loadDocuments(`${PODINFO_DIR}clusters.yaml`)).rejects.toMatchObject({
      type: 'InvalidDocument',
      path: 'kind',
      documentIndex: 0,
      file: `${PODINFO_DIR}clusters.yaml`,
    });
  });

  it('reads standard input when the path is "-"', () => {
    dir = compileModel();
    // The file-system side lives in cli/; compile that one file beside the model.
    const source = readFileSync(new URL('../../cli/load-documents.ts', import.meta.url), 'utf8');
    const { outputText } = ts.transpileModule(source, {
      compilerOptions: {
        module: ts.ModuleKind.ESNext,
        target: ts.ScriptTarget.ES2022,
        verbatimModuleSyntax: true,
      },
    });
    mkdirSync(join(dir, 'dist', 'cli'), { recursive: true });
    writeFileSync(join(dir, 'dist', 'cli', 'load-documents.js'), outputText);
    const script = `
      import { loadDocuments } from './dist/cli/load-documents.js';
      const docs = await loadDocuments('-');
      process.stdout.write(docs.map((d) => d.metadata.name).join(','));
    `;
    const names = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: dir,
      input: readFixture('podinfo/policies.yaml'),
      encoding: 'utf8',
    });
    expect(names).toBe('override-high-availability,topology-hangzhou-clusters');
    // Compiling the model and starting a Node process takes seconds on a loaded machine.
  }, 30_000);

  it('refuses duplicate keys, which YAML forbids and kubectl rejects', () => {
    expect(() => parseYamlDocuments('kind: Policy\nkind: Workflow\n', 'dup.yaml')).toThrow(
      /Map keys must be unique/,
    );
  });
});
