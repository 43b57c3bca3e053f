import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export interface GoVersion {
  readonly major: number;
  readonly minor: number;
  /** As `go env GOVERSION` prints it, e.g. `go1.26.8`. */
  readonly text: string;
}

/** `go1.26.8` → {major: 1, minor: 26}; undefined when Go is missing. */
export async function goVersion(env: NodeJS.ProcessEnv = process.env): Promise<GoVersion | undefined> {
  try {
    const { stdout } = await execFileAsync('go', ['env', 'GOVERSION'], { env });
    const text = stdout.trim();
    const m = /^go(\d+)\.(\d+)/.exec(text);
    if (!m) return undefined;
    return { major: Number(m[1]), minor: Number(m[2]), text };
  } catch {
    return undefined;
  }
}
