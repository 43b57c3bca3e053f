import { execFile } from 'node:child_process';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { bundleWorkflowCode } from '@temporalio/worker';

const execFileAsync = promisify(execFile);
const REPO = fileURLToPath(new URL('../../', import.meta.url));

/**
 * An earlier release's code, checked out from git into a temporary folder: its workflow bundle
 * and its own modules (worker, activities, client), loaded beside today's. `node_modules` is this
 * checkout's (a symlink), so both releases share the Temporal runtime of the process — as two
 * worker processes on one machine share nothing but the server, the two workers here share
 * nothing but the runtime's threads.
 */
export interface OldRelease {
  readonly commit: string;
  readonly dir: string;
  /** The release's workflow code, bundled from its own `workflows/index.ts`. */
  readonly bundleCode: string;
  /** Imports a module of the release, e.g. `worker/create-worker.ts`. */
  importModule<T>(path: string): Promise<T>;
  remove(): Promise<void>;
}

/**
 * Extracts `commit` (which every clone of main has) with `git archive` and bundles its workflows.
 *
 * @throws Error naming the commit when git cannot produce it (a shallow clone)
 */
export async function checkoutRelease(commit: string): Promise<OldRelease> {
  const dir = await mkdtemp(join(tmpdir(), `revela-release-${commit}-`));
  try {
    await execFileAsync(
      'sh',
      ['-c', `git -C "$1" archive --format=tar "$2" | tar -x -C "$3"`, 'sh', REPO, commit, dir],
      { maxBuffer: 16 * 1024 * 1024 },
    );
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(
      `cannot extract commit ${commit} (a shallow clone? git fetch --unshallow): ${String(err)}`,
      {
        cause: err,
      },
    );
  }
  await symlink(join(REPO, 'node_modules'), join(dir, 'node_modules'), 'dir');
  const quiet = () => undefined;
  const bundle = await bundleWorkflowCode({
    workflowsPath: join(dir, 'workflows', 'index.ts'),
    logger: { log: quiet, trace: quiet, debug: quiet, info: quiet, warn: quiet, error: quiet },
  });
  return {
    commit,
    dir,
    bundleCode: bundle.code,
    importModule: <T>(path: string) => import(pathToFileURL(join(dir, path)).href) as Promise<T>,
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
