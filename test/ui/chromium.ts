import { constants } from 'node:fs';
import { accessSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

/**
 * Flags for Debian's Chromium on a machine with a closed network: without the background-network
 * switches it keeps trying to reach Google's hosts at every start. `--no-sandbox` because CI runs
 * as root. Playwright adds `--headless` itself and gives every launch a fresh temporary profile
 * (its own `--user-data-dir`), removed again by `browser.close()`.
 */
export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
] as const;

/** Where a Chromium is looked for when `REVELA_CHROMIUM` is not set, in this order. */
const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];
const NAMES_ON_PATH = ['chromium', 'chromium-browser'];

/** Whether the UI test runs, is skipped, or fails because there is no browser to drive. */
export type UiTestGate =
  | { readonly run: true; readonly executablePath: string }
  | { readonly run: false; readonly skip: true; readonly reason: string }
  | { readonly run: false; readonly skip: false; readonly reason: string };

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** `REVELA_CHROMIUM`, then Debian's `/usr/bin/chromium`, then `chromium` on PATH. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): { path: string } | { missing: string } {
  const configured = env.REVELA_CHROMIUM;
  if (configured) {
    return isExecutable(configured)
      ? { path: configured }
      : { missing: `REVELA_CHROMIUM=${configured} is not an executable file` };
  }
  for (const path of CANDIDATES) if (isExecutable(path)) return { path };
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    for (const name of NAMES_ON_PATH) {
      if (dir && isExecutable(join(dir, name))) return { path: join(dir, name) };
    }
  }
  return { missing: `no Chromium at ${CANDIDATES.join(' or ')} nor on PATH` };
}

/**
 * Decides whether the Temporal UI test can run here. Without a browser it fails, loudly, unless
 * `REVELA_SKIP_UI=1`; in CI (`CI=true`, where `.ci/run` installs Chromium) it never skips.
 */
export function uiTestGate(env: NodeJS.ProcessEnv = process.env): UiTestGate {
  const found = findChromium(env);
  if ('path' in found) return { run: true, executablePath: found.path };
  const help = [
    `The Temporal UI test needs Chromium: ${found.missing}.`,
    '  - Debian/Ubuntu: sudo apt-get install -y chromium   (Playwright must not download its own browser)',
    '  - or point REVELA_CHROMIUM=/path/to/chromium at any Chromium or Chrome binary',
    '  - or set REVELA_SKIP_UI=1 to skip this test on this machine (ignored in CI)',
  ].join('\n');
  const inCi = env.CI === 'true' || env.CI === '1';
  if (env.REVELA_SKIP_UI === '1' && !inCi) {
    return { run: false, skip: true, reason: `REVELA_SKIP_UI=1 and ${found.missing}` };
  }
  return { run: false, skip: false, reason: help };
}

/** A banner that stands out in a long test log. */
export function banner(text: string): string {
  const rule = '='.repeat(100);
  return `\n${rule}\n${text}\n${rule}\n`;
}

/** Launches headless Chromium with {@link CHROMIUM_FLAGS}. */
export async function launchChromium(executablePath: string): Promise<Browser> {
  return await chromium.launch({
    executablePath,
    headless: true,
    args: [...CHROMIUM_FLAGS],
    timeout: 30_000,
  });
}
