import {
  fieldSetOf,
  formatPath,
  fromFieldsV1,
  isItemPath,
  mergeApplied,
  removeAt,
  toFieldsV1,
  valueAt,
  type FieldSet,
} from './field-paths.js';
import { clone, deepEqual, isPlainObject, str, type JsonObject } from './json.js';
import { StatusError } from './status-error.js';

/**
 * Field ownership (`metadata.managedFields`) for server-side apply and for ordinary writes. An
 * apply conflicts when another manager owns a field the applier sets to a different value; an
 * ordinary write (create, update, merge patch) takes over the fields it changes without conflict.
 */

export type Operation = 'Apply' | 'Update';

interface ManagerEntry {
  manager: string;
  operation: Operation;
  apiVersion: string;
  time: string;
  set: FieldSet;
}

function readEntries(object: JsonObject | undefined): ManagerEntry[] {
  const metadata = object?.metadata;
  if (!isPlainObject(metadata) || !Array.isArray(metadata.managedFields)) return [];
  return metadata.managedFields.filter(isPlainObject).map((e) => ({
    manager: str(e.manager),
    operation: e.operation === 'Apply' ? 'Apply' : 'Update',
    apiVersion: str(e.apiVersion),
    time: str(e.time),
    set: fromFieldsV1(e.fieldsV1),
  }));
}

function writeEntries(object: JsonObject, entries: readonly ManagerEntry[]): void {
  const metadata = isPlainObject(object.metadata) ? object.metadata : (object.metadata = {});
  metadata.managedFields = entries
    .filter((e) => e.set.size > 0)
    .map((e) => ({
      manager: e.manager,
      operation: e.operation,
      apiVersion: e.apiVersion,
      time: e.time,
      fieldsType: 'FieldsV1',
      fieldsV1: toFieldsV1(e.set),
    }));
}

function entryFor(
  entries: ManagerEntry[],
  manager: string,
  operation: Operation,
  apiVersion: string,
  time: string,
): ManagerEntry {
  let entry = entries.find((e) => e.manager === manager && e.operation === operation);
  if (!entry) {
    entry = { manager, operation, apiVersion, time, set: new Set() };
    entries.push(entry);
  }
  entry.apiVersion = apiVersion;
  entry.time = time;
  return entry;
}

const parse = (path: string) => JSON.parse(path) as string[];

/** Drops what the client may not set through apply: server bookkeeping and status. */
function applicableConfig(applied: JsonObject): JsonObject {
  const config = clone(applied);
  delete config.status;
  if (isPlainObject(config.metadata)) {
    for (const k of [
      'uid',
      'resourceVersion',
      'generation',
      'creationTimestamp',
      'managedFields',
      'selfLink',
    ]) {
      delete config.metadata[k];
    }
  }
  return config;
}

export interface ApplyInput {
  readonly live: JsonObject | undefined;
  readonly applied: JsonObject;
  readonly manager: string;
  readonly force: boolean;
  readonly apiVersion: string;
  /** RFC 3339 with seconds, as managedFields record it. */
  readonly time: string;
}

/**
 * Server-side apply of one configuration. Returns the merged object with updated managedFields,
 * before server defaults; throws a 409 Conflict listing every conflicting field and its owner.
 */
export function serverSideApply(input: ApplyInput): JsonObject {
  const config = applicableConfig(input.applied);
  const appliedSet = fieldSetOf(config);
  const entries = readEntries(input.live);
  const live = input.live ? clone(input.live) : undefined;

  if (live) {
    const conflicts: { manager: string; apiVersion: string; path: string[] }[] = [];
    for (const entry of entries) {
      if (entry.manager === input.manager) continue;
      for (const key of appliedSet) {
        if (!entry.set.has(key)) continue;
        const path = parse(key);
        if (isItemPath(path)) continue;
        if (!deepEqual(valueAt(live, path).value, valueAt(config, path).value)) {
          conflicts.push({ manager: entry.manager, apiVersion: entry.apiVersion, path });
        }
      }
    }
    if (conflicts.length > 0 && !input.force) throw conflictError(conflicts);
    for (const c of conflicts) {
      for (const entry of entries) if (entry.manager === c.manager) entry.set.delete(JSON.stringify(c.path));
    }
  }

  const own = entries.find((e) => e.manager === input.manager && e.operation === 'Apply');
  const previous = own?.set ?? new Set<string>();
  const others = entries.filter((e) => e !== own);
  const ownedByOthers = (key: string): boolean => {
    const prefix = key.slice(0, -1);
    return others.some((e) => e.set.has(key) || [...e.set].some((k) => k.startsWith(`${prefix},`)));
  };

  const merged = mergeApplied(live ?? {}, config) as JsonObject;
  // Fields this manager applied before and no longer applies are removed, unless someone else owns them.
  const dropped = [...previous]
    .filter((key) => !appliedSet.has(key) && !ownedByOthers(key))
    .map(parse)
    .sort((a, b) => b.length - a.length);
  for (const path of dropped) removeAt(merged, path);

  // Ownership moves from this manager's own ordinary writes to its apply.
  for (const entry of others)
    if (entry.manager === input.manager) for (const k of appliedSet) entry.set.delete(k);
  const entry = entryFor(entries, input.manager, 'Apply', input.apiVersion, input.time);
  entry.set = appliedSet;
  if (live && own && deepEqual(stripManaged(merged), stripManaged(live)) && setsEqual(previous, appliedSet)) {
    // A no-op apply keeps the recorded time, as upstream does, so "applied at" stays meaningful.
    entry.time = own.time;
  }
  writeEntries(merged, entries);
  return merged;
}

function setsEqual(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  return a.size === b.size && [...a].every((k) => b.has(k));
}

function stripManaged(object: JsonObject): JsonObject {
  const copy = { ...object };
  if (isPlainObject(copy.metadata)) {
    const { managedFields: _m, ...metadata } = copy.metadata;
    copy.metadata = metadata;
  }
  return copy;
}

function conflictError(
  conflicts: readonly { manager: string; apiVersion: string; path: string[] }[],
): StatusError {
  const byManager = new Map<string, { apiVersion: string; fields: string[] }>();
  for (const c of conflicts) {
    const group = byManager.get(c.manager) ?? { apiVersion: c.apiVersion, fields: [] };
    group.fields.push(formatPath(c.path));
    byManager.set(c.manager, group);
  }
  const parts = [...byManager].map(([manager, { apiVersion, fields }]) =>
    fields.length === 1
      ? `conflict with "${manager}" using ${apiVersion}: ${fields[0]}`
      : `conflicts with "${manager}" using ${apiVersion}:\n${fields.map((f) => `- ${f}`).join('\n')}`,
  );
  const n = conflicts.length;
  return new StatusError(409, `Apply failed with ${n} conflict${n === 1 ? '' : 's'}: ${parts.join('\n')}`, {
    reason: 'Conflict',
    details: {
      causes: conflicts.map((c) => ({
        type: 'FieldManagerConflict',
        message: `conflict with "${c.manager}" using ${c.apiVersion}`,
        field: formatPath(c.path),
      })),
    },
  });
}

/**
 * Records an ordinary write (create, update, merge or strategic patch): the writer takes over every
 * field it changed, and fields the write removed leave every manager.
 */
export function recordUpdate(
  before: JsonObject | undefined,
  after: JsonObject,
  manager: string,
  apiVersion: string,
  time: string,
): void {
  const entries = readEntries(before);
  const oldSet = before ? fieldSetOf(before) : new Set<string>();
  const newSet = fieldSetOf(after);
  const changed = [...newSet].filter((key) => {
    if (!oldSet.has(key)) return true;
    const path = parse(key);
    return !isItemPath(path) && !deepEqual(valueAt(before, path).value, valueAt(after, path).value);
  });
  const removed = [...oldSet].filter((key) => !newSet.has(key));
  for (const entry of entries) for (const key of [...changed, ...removed]) entry.set.delete(key);
  if (changed.length > 0) {
    const entry = entryFor(entries, manager, 'Update', apiVersion, time);
    for (const key of changed) entry.set.add(key);
  }
  writeEntries(after, entries);
}
