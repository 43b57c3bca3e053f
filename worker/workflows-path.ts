import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The workflow entry point to bundle: compiled `dist/workflows/index.js` when running from the
 * build, `workflows/index.ts` when running from source (tests, `tsx`).
 */
export function workflowsPath(): string {
  const js = fileURLToPath(new URL('../workflows/index.js', import.meta.url));
  if (existsSync(js)) return js;
  return fileURLToPath(new URL('../workflows/index.ts', import.meta.url));
}
