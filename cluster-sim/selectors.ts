import { badRequest } from './status-error.js';

/**
 * Label and field selectors as the API server parses them (`app=podinfo,tier!=db`,
 * `env in (a,b)`, `!legacy`, `metadata.name=podinfo`). Invalid selectors are a 400, as upstream.
 */

export type Requirement =
  | { readonly key: string; readonly op: 'exists' | 'notexists' }
  | { readonly key: string; readonly op: 'in' | 'notin'; readonly values: readonly string[] };

/** Splits on commas that are not inside a `( … )` value set. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts.map((p) => p.trim()).filter((p) => p.length > 0);
}

const KEY = /^[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?$/;

function checkKey(key: string, selector: string): string {
  if (!KEY.test(key))
    throw badRequest(`unable to parse requirement: invalid label key "${key}" in selector "${selector}"`);
  return key;
}

export function parseLabelSelector(selector: string | undefined | null): Requirement[] {
  if (!selector) return [];
  return splitTopLevel(selector).map((part): Requirement => {
    const set = /^([^\s!=]+)\s+(in|notin)\s+\((.*)\)$/.exec(part);
    if (set) {
      const values = (set[3] ?? '')
        .split(',')
        .map((v) => v.trim())
        .filter((v) => v.length > 0);
      return { key: checkKey(set[1] ?? '', selector), op: set[2] === 'in' ? 'in' : 'notin', values };
    }
    const neq = /^([^\s!=]+)\s*!=\s*(.*)$/.exec(part);
    if (neq) return { key: checkKey(neq[1] ?? '', selector), op: 'notin', values: [(neq[2] ?? '').trim()] };
    const eq = /^([^\s!=]+)\s*==?\s*(.*)$/.exec(part);
    if (eq) return { key: checkKey(eq[1] ?? '', selector), op: 'in', values: [(eq[2] ?? '').trim()] };
    if (part.startsWith('!')) return { key: checkKey(part.slice(1).trim(), selector), op: 'notexists' };
    return { key: checkKey(part, selector), op: 'exists' };
  });
}

export function matchesRequirements(
  requirements: readonly Requirement[],
  lookup: (key: string) => string | undefined,
): boolean {
  return requirements.every((r) => {
    const value = lookup(r.key);
    switch (r.op) {
      case 'exists':
        return value !== undefined;
      case 'notexists':
        return value === undefined;
      case 'in':
        return value !== undefined && r.values.includes(value);
      case 'notin':
        return value === undefined || !r.values.includes(value);
    }
  });
}

export function matchesLabels(
  requirements: readonly Requirement[],
  labels: Readonly<Record<string, string>> | undefined,
): boolean {
  return matchesRequirements(requirements, (key) => labels?.[key]);
}

/** Field selectors support `=`, `==` and `!=` on dotted paths (`metadata.name`, `status.phase`). */
export function parseFieldSelector(selector: string | undefined | null): Requirement[] {
  if (!selector) return [];
  return splitTopLevel(selector).map((part): Requirement => {
    const neq = /^([^\s!=]+)\s*!=\s*(.*)$/.exec(part);
    if (neq) return { key: neq[1] ?? '', op: 'notin', values: [(neq[2] ?? '').trim()] };
    const eq = /^([^\s!=]+)\s*==?\s*(.*)$/.exec(part);
    if (eq) return { key: eq[1] ?? '', op: 'in', values: [(eq[2] ?? '').trim()] };
    throw badRequest(`invalid field selector: "${part}" has no operator`);
  });
}

export function fieldValue(object: unknown, path: string): string | undefined {
  let current: unknown = object;
  for (const segment of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  if (current === undefined || current === null) return undefined;
  return typeof current === 'string' ? current : JSON.stringify(current);
}

export function matchesFields(requirements: readonly Requirement[], object: unknown): boolean {
  // A missing field compares as the empty string, as the API server does for `metadata.namespace`.
  return matchesRequirements(requirements, (key) => fieldValue(object, key) ?? '');
}
