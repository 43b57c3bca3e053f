/**
 * Paths inside documents as errors print them: `spec.components[0].traits[1].properties.replicas`,
 * `metadata.annotations["app.oam.dev/publishVersion"]`.
 *
 * Workflow-safe.
 */

const PLAIN_KEY = /^[A-Za-z_$][\w$-]*$/;

/** Formats path segments (`['spec', 'components', 0, 'name']` → `spec.components[0].name`). */
export function formatPath(segments: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else {
      const key = String(segment);
      if (PLAIN_KEY.test(key)) out += out === '' ? key : `.${key}`;
      else out += `[${JSON.stringify(key)}]`;
    }
  }
  return out;
}

/** Appends a formatted sub-path (`properties`, `[0].name`, `.x`) to a base path. */
export function joinPath(base: string, ...rest: (string | number)[]): string {
  let out = base;
  for (const part of rest) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (part === '') continue;
    else if (part.startsWith('[') || part.startsWith('.'))
      out += out === '' && part.startsWith('.') ? part.slice(1) : part;
    else out += out === '' ? part : `.${part}`;
  }
  return out;
}

/** Converts a JSON Pointer (ajv's `instancePath`, `/env/0/name`) to path segments. */
export function pointerToSegments(pointer: string): (string | number)[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((raw) => raw.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((key) => (/^(0|[1-9]\d*)$/.test(key) ? Number(key) : key));
}
