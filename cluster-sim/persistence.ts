import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ClusterSnapshot } from './cluster-state.js';
import { isPlainObject } from './json.js';

/**
 * Optional persistence of every simulated object to one JSON file, so the dev stack's clusters
 * survive a restart. Writes are debounced and atomic (write a temporary file, then rename).
 */

const FORMAT_VERSION = 1;
const DEBOUNCE_MS = 200;

export interface DataFile {
  readonly version: number;
  readonly savedAt: string;
  readonly clusters: Readonly<Record<string, ClusterSnapshot>>;
}

export class DataFileError extends Error {
  override readonly name = 'DataFileError';
  constructor(
    readonly path: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The persisted clusters, or undefined when the file does not exist yet. */
export async function loadDataFile(path: string): Promise<Record<string, ClusterSnapshot> | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new DataFileError(path, `cannot read simulator data file ${path}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new DataFileError(
      path,
      `simulator data file ${path} is not valid JSON (${(err as Error).message}); delete it to start empty`,
      { cause: err },
    );
  }
  if (!isPlainObject(data) || data.version !== FORMAT_VERSION || !isPlainObject(data.clusters)) {
    throw new DataFileError(
      path,
      `simulator data file ${path} has an unknown format (expected version ${FORMAT_VERSION}); delete it to start empty`,
    );
  }
  return data.clusters as Record<string, ClusterSnapshot>;
}

export class DataFileWriter {
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private lastError: Error | undefined;

  constructor(
    private readonly path: string,
    private readonly snapshot: () => Record<string, ClusterSnapshot>,
  ) {}

  /** Schedules a write; many changes in a burst make one write. */
  schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.writing = this.writing.then(() => this.write());
    }, DEBOUNCE_MS);
    this.timer.unref();
  }

  /** Writes now (cancelling a pending debounce) and waits for every write to finish. */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.writing = this.writing.then(() => this.write());
    await this.writing;
    if (this.lastError) throw this.lastError;
  }

  private async write(): Promise<void> {
    const data: DataFile = {
      version: FORMAT_VERSION,
      savedAt: new Date().toISOString(),
      clusters: this.snapshot(),
    };
    const tmp = `${this.path}.${process.pid}.tmp`;
    try {
      await mkdir(dirname(this.path), { recursive: true });
      await writeFile(tmp, JSON.stringify(data));
      await rename(tmp, this.path);
      this.lastError = undefined;
    } catch (err) {
      // A failed background write is reported by the next flush (at stop) rather than crashing the simulator.
      this.lastError = new DataFileError(
        this.path,
        `cannot write simulator data file ${this.path}: ${(err as Error).message}`,
        { cause: err },
      );
    }
  }
}
