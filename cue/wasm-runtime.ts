/**
 * The CUE evaluator's WebAssembly module, loaded once per process on first use: Go's
 * `wasm_exec.js` defines the `Go` runtime class, the module registers `globalThis.revelaCue`
 * while it starts and then waits for calls. Calls are synchronous (CUE runs on this thread).
 *
 * Activities and the CLI only: never import this from workflow code.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { provisionCueWasm, type CueWasm, type CueWasmOptions } from '../dev/cue-wasm.js';

/** One CUE error as the Go side reports it. */
export interface WasmProblem {
  message: string;
  /** The CUE path, `output.spec.replicas`. */
  path?: string;
  /** `file` is the template's name, or `parameter` / `context` for the values filled in. */
  positions?: { file: string; line: number; column: number }[];
}

/** A patch annotation as the Go side reports it (`[]` for list items). */
export interface WasmAnnotation {
  path: string[];
  patchKey?: string;
  patchStrategy?: string;
}

export interface WasmEvaluation {
  values?: Record<string, unknown>;
  annotations?: Record<string, WasmAnnotation[]>;
  errors?: WasmProblem[];
}

export interface EvaluateRequest {
  /** Top-level values unified into the template, e.g. `{parameter, context}`. */
  fill: Record<string, unknown>;
  /** Top-level fields that must be concrete (checked first, not returned). */
  check?: readonly string[];
  /** Top-level fields to return when they exist. */
  select: readonly string[];
  /** Top-level fields whose `+patchKey` / `+patchStrategy` comments to return. */
  annotate?: readonly string[];
}

/** The calls the module offers; see `cue/wasm/main.go`. */
export interface CueWasmApi {
  /** The cuelang.org/go version it was built from. */
  readonly version: string;
  compile(name: string, source: string): { handle: number } | { errors: WasmProblem[] };
  evaluate(handle: number, request: EvaluateRequest): WasmEvaluation;
  release(handle: number): void;
}

interface RawApi {
  version: string;
  compile(name: string, source: string): string;
  evaluate(handle: number, request: string): string;
  release(handle: number): void;
}

// Node has WebAssembly, but the project's TS libs (no DOM) do not declare it: the little used here.
interface WasmInstance {
  readonly exports: unknown;
}
interface WasmGlobal {
  compile(bytes: Uint8Array): Promise<unknown>;
  instantiate(module: unknown, imports: unknown): Promise<WasmInstance>;
}
const { WebAssembly } = globalThis as unknown as { WebAssembly: WasmGlobal };

interface GoRuntime {
  importObject: unknown;
  run(instance: WasmInstance): Promise<void>;
}

let loading: Promise<CueWasmApi> | undefined;

async function load(options: CueWasmOptions): Promise<CueWasmApi> {
  const wasm: CueWasm = await provisionCueWasm(options);
  const g = globalThis as { Go?: new () => GoRuntime; revelaCue?: RawApi };
  // wasm_exec.js is a classic script that defines globalThis.Go; require runs it once.
  if (g.Go === undefined) createRequire(import.meta.url)(wasm.wasmExecPath);
  if (g.Go === undefined) throw new Error(`${wasm.wasmExecPath} did not define the Go runtime`);
  const go = new g.Go();
  const module = await WebAssembly.compile(await readFile(wasm.wasmPath));
  const instance = await WebAssembly.instantiate(module, go.importObject);
  // `run` executes Go's main until it blocks waiting for calls, so the API is in place when it
  // returns; its promise settles only if the program exits, which it does not.
  void go.run(instance);
  const raw = g.revelaCue;
  if (raw === undefined) throw new Error(`${wasm.wasmPath} did not register the CUE API`);
  return {
    version: raw.version,
    compile: (name, source) =>
      JSON.parse(raw.compile(name, source)) as { handle: number } | { errors: WasmProblem[] },
    evaluate: (handle, request) =>
      JSON.parse(raw.evaluate(handle, JSON.stringify(request))) as WasmEvaluation,
    release: (handle) => raw.release(handle),
  };
}

/**
 * The CUE module of this process, provisioned (found, or built on first use) and started once.
 * A failure is not remembered, so a later call can succeed once Go or the file is there.
 *
 * @throws CueWasmUnavailableError when it can be neither found nor built.
 */
export function cueWasm(options: CueWasmOptions = {}): Promise<CueWasmApi> {
  loading ??= load(options).catch((err: unknown) => {
    loading = undefined;
    throw err;
  });
  return loading;
}
