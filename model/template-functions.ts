/**
 * Functions JSONata templates may call beyond JSONata's own: the two patch formats KubeVela's
 * `json-patch` and `json-merge-patch` traits take, which a strategic merge cannot express
 * (removing a list item, replacing a list by index). Pure and deterministic.
 *
 * Workflow-safe (plain data in, plain data out), though only templates call it.
 */
import { canonicalJson } from './canonical-json.js';

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function clone<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

/** A failure JSONata reports like its own (code and message), with the operation that failed. */
function fail(message: string): never {
  // eslint-disable-next-line @typescript-eslint/only-throw-error
  throw { code: 'D3137', message };
}

/** RFC 7396: objects merge, `null` removes, anything else (lists too) replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return clone(patch);
  const out: Record<string, unknown> = isPlainObject(target) ? clone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else if (value !== undefined) out[key] = mergePatch(out[key], value);
  }
  return out;
}

/** `/spec/template/spec/containers/0` → segments, with RFC 6901 escapes undone. */
function pointer(path: unknown, op: number): string[] {
  if (typeof path !== 'string' || (path !== '' && !path.startsWith('/')))
    fail(`operation ${op}: path must be a JSON pointer such as /spec/replicas, got ${JSON.stringify(path)}`);
  return path === ''
    ? []
    : path
        .slice(1)
        .split('/')
        .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function parentOf(doc: unknown, segments: readonly string[], op: number): unknown {
  let node = doc;
  for (const segment of segments.slice(0, -1)) {
    if (Array.isArray(node)) node = node[Number(segment)];
    else if (isPlainObject(node)) node = node[segment];
    else node = undefined;
    if (node === undefined) fail(`operation ${op}: /${segments.join('/')} does not exist`);
  }
  return node;
}

function indexIn(list: readonly unknown[], segment: string, op: number, adding: boolean): number {
  if (adding && segment === '-') return list.length;
  const index = Number(segment);
  const limit = adding ? list.length : list.length - 1;
  if (!/^(0|[1-9][0-9]*)$/.test(segment) || index > limit)
    fail(`operation ${op}: list index ${segment} is out of range`);
  return index;
}

function getAt(doc: unknown, segments: readonly string[], op: number): unknown {
  if (segments.length === 0) return doc;
  const parent = parentOf(doc, segments, op);
  const last = segments[segments.length - 1] as string;
  const value: unknown = Array.isArray(parent)
    ? (parent as unknown[])[indexIn(parent, last, op, false)]
    : isPlainObject(parent)
      ? parent[last]
      : undefined;
  if (value === undefined) fail(`operation ${op}: /${segments.join('/')} does not exist`);
  return value;
}

function removeAt(doc: unknown, segments: readonly string[], op: number): unknown {
  if (segments.length === 0) fail(`operation ${op}: cannot remove the whole object`);
  const parent = parentOf(doc, segments, op);
  const last = segments[segments.length - 1] as string;
  if (Array.isArray(parent)) return parent.splice(indexIn(parent, last, op, false), 1)[0];
  if (!isPlainObject(parent) || !(last in parent))
    fail(`operation ${op}: /${segments.join('/')} does not exist`);
  const value = parent[last];
  delete parent[last];
  return value;
}

function addAt(doc: unknown, segments: readonly string[], value: unknown, op: number): unknown {
  if (segments.length === 0) return clone(value);
  const parent = parentOf(doc, segments, op);
  const last = segments[segments.length - 1] as string;
  if (Array.isArray(parent)) parent.splice(indexIn(parent, last, op, true), 0, clone(value));
  else if (isPlainObject(parent)) parent[last] = clone(value);
  else fail(`operation ${op}: the parent of /${segments.join('/')} is not an object or a list`);
  return doc;
}

/**
 * RFC 6902: applies `operations` (`add`, `remove`, `replace`, `move`, `copy`, `test`) in order to
 * a copy of `target`.
 *
 * @throws a JSONata-style error naming the operation that failed.
 */
export function jsonPatch(target: unknown, operations: unknown): unknown {
  const ops = Array.isArray(operations) ? operations : [operations];
  let doc = clone(target);
  ops.forEach((raw: unknown, op) => {
    if (!isPlainObject(raw)) fail(`operation ${op} must be an object with op and path`);
    const path = pointer(raw.path, op);
    switch (raw.op) {
      case 'add':
        doc = addAt(doc, path, raw.value, op);
        break;
      case 'remove':
        removeAt(doc, path, op);
        break;
      case 'replace':
        if (path.length > 0) removeAt(doc, path, op);
        doc = addAt(doc, path, raw.value, op);
        break;
      case 'move': {
        const value = removeAt(doc, pointer(raw.from, op), op);
        doc = addAt(doc, path, value, op);
        break;
      }
      case 'copy':
        doc = addAt(doc, path, getAt(doc, pointer(raw.from, op), op), op);
        break;
      case 'test':
        if (canonicalJson(getAt(doc, path, op)) !== canonicalJson(raw.value))
          fail(`operation ${op}: test of ${String(raw.path)} failed`);
        break;
      default:
        fail(
          `operation ${op}: op must be add, remove, replace, move, copy or test, got ${JSON.stringify(raw.op)}`,
        );
    }
  });
  return doc;
}

/** The bindings templates get: `$jsonPatch(object, operations)`, `$mergePatch(object, patch)`. */
export const TEMPLATE_FUNCTIONS = {
  jsonPatch,
  mergePatch,
} as const;
