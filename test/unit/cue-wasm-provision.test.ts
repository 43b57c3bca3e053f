import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CueWasmUnavailableError,
  cachedCueWasmDir,
  cueWasmSourceDir,
  provisionCueWasm,
  type CueWasm,
} from '../../dev/cue-wasm.js';

let built: CueWasm;
let emptyCache: string;
const lines: string[] = [];

beforeAll(async () => {
  built = await provisionCueWasm();
  emptyCache = await mkdtemp(join(tmpdir(), 'revela-cue-cache-'));
}, 600_000);

afterAll(async () => {
  await rm(emptyCache, { recursive: true, force: true });
});

describe('provisioning the CUE evaluator', () => {
  it('keys the cache by the cuelang.org/go version and a hash of the Go source', async () => {
    const dir = await cachedCueWasmDir('/cache', cueWasmSourceDir());
    expect(dir).toMatch(/^\/cache\/cue-wasm\/v0\.17\.1-[0-9a-f]{12}$/);
    expect(built.wasmPath.endsWith('revela-cue.wasm')).toBe(true);
    expect(built.wasmExecPath.endsWith('wasm_exec.js')).toBe(true);
  });

  it('takes REVELA_CUE_WASM as given when wasm_exec.js is beside it', async () => {
    const found = await provisionCueWasm({ env: { REVELA_CUE_WASM: built.wasmPath } });
    expect(found).toEqual({ wasmPath: built.wasmPath, wasmExecPath: built.wasmExecPath, source: 'env' });
  });

  it('refuses a REVELA_CUE_WASM that does not exist, saying so', async () => {
    await expect(provisionCueWasm({ env: { REVELA_CUE_WASM: '/nowhere/revela-cue.wasm' } })).rejects.toThrow(
      'REVELA_CUE_WASM=/nowhere/revela-cue.wasm: no such file',
    );
  });

  it('without Go and without a cached build, says what was tried and what to install', async () => {
    const error = await provisionCueWasm({
      env: { PATH: '/nonexistent', HOME: emptyCache },
      cacheDir: emptyCache,
      log: (line) => lines.push(line),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CueWasmUnavailableError);
    const e = error as CueWasmUnavailableError;
    expect(e.attempts).toEqual([
      'REVELA_CUE_WASM: not set',
      expect.stringMatching(/^cache: nothing in .*cue-wasm\/v0\.17\.1-/),
      'go: not installed',
    ]);
    expect(e.message).toContain('install Go >= 1.25');
    expect(e.message).toContain('REVELA_CUE_WASM=/path/to/revela-cue.wasm');
  });
});
