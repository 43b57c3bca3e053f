/**
 * Compiles `model/` and `definitions/` to plain JavaScript in a temporary folder laid out like
 * the package after `npm run build` (`dist/model`, `dist/definitions`, with the YAML in
 * `definitions/`), so a test can run them in a separate Node process without a build.
 */
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

function transpileFolder(folder: string, outDir: string): void {
  mkdirSync(outDir, { recursive: true });
  for (const file of readdirSync(join(ROOT, folder))) {
    if (!file.endsWith('.ts')) continue;
    const source = readFileSync(join(ROOT, folder, file), 'utf8');
    const { outputText } = ts.transpileModule(source, {
      compilerOptions: {
        module: ts.ModuleKind.ESNext,
        target: ts.ScriptTarget.ES2022,
        verbatimModuleSyntax: true,
      },
      fileName: file,
    });
    writeFileSync(join(outDir, file.replace(/\.ts$/, '.js')), outputText);
  }
}

/** Returns the folder; `<dir>/dist/model/index.js` and `<dir>/dist/definitions/index.js` are importable. */
export function compileModel(): string {
  const dir = mkdtempSync(join(tmpdir(), 'revela-model-'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  transpileFolder('model', join(dir, 'dist', 'model'));
  transpileFolder('definitions', join(dir, 'dist', 'definitions'));
  mkdirSync(join(dir, 'definitions'));
  for (const file of readdirSync(join(ROOT, 'definitions'))) {
    if (file.endsWith('.yaml')) copyFileSync(join(ROOT, 'definitions', file), join(dir, 'definitions', file));
  }
  return dir;
}
