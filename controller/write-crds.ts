/** `npm run gen:crds`: writes `deploy/kubernetes/crds/` from the zod schemas. */
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { crdFiles } from './crd-files.js';

// Run as dist/controller/write-crds.js: the repository root is two levels up.
const CRDS_DIR = fileURLToPath(new URL('../../deploy/kubernetes/crds/', import.meta.url));

async function main(): Promise<void> {
  const dir = process.argv[2] ?? CRDS_DIR;
  await mkdir(dir, { recursive: true });
  for (const [name, text] of crdFiles()) await writeFile(`${dir}/${name}`, text);
  console.log(`wrote ${crdFiles().size} files to ${dir}`);
}

await main();
