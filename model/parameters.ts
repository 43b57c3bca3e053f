/**
 * Validates component, trait, policy and step properties against their definition's JSON Schema
 * (ajv), applying the schema's defaults. Compiled validators are cached by schema content.
 *
 * Not workflow-safe (ajv generates code at runtime).
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import formatsModule from 'ajv-formats';
import { canonicalJson } from './canonical-json.js';
import { InvalidDocumentError, InvalidParametersError } from './errors.js';
import { jsonClone } from './json-clone.js';
import { formatPath, joinPath, pointerToSegments } from './object-path.js';

type FormatsPlugin = (ajv: Ajv) => Ajv;
const addFormats: FormatsPlugin =
  (formatsModule as unknown as { default?: FormatsPlugin }).default ??
  (formatsModule as unknown as FormatsPlugin);

const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false, verbose: true });
addFormats(ajv);

const cache = new Map<string, ValidateFunction>();
const CACHE_LIMIT = 2000;
// Serializing a schema to find it in `cache` costs more than validating; most calls pass the same
// schema object (a definition from the snapshot), so look it up by identity first.
let byIdentity = new WeakMap<object, ValidateFunction>();

/** Where the properties being validated sit, for error messages. */
export interface ParameterLocation {
  /** The definition whose schema applies, e.g. `webservice`. */
  definition: string;
  /** `Application examples/podinfo`. */
  object: string;
  /** Path of the properties object, e.g. `spec.components[0].properties`. */
  path: string;
  /** Appended to the reason of an error, e.g. `(with the overrides of step "deploy-hangzhou")`. */
  note?: string;
}

/**
 * Compiles (or takes from the cache) the validator of a parameter schema.
 *
 * @throws InvalidDocumentError when the schema itself is not valid JSON Schema.
 */
export function compileParameterSchema(
  schema: Record<string, unknown>,
  at: { object: string; path: string } = { object: 'definition', path: 'spec.schematic.jsonata.parameter' },
): ValidateFunction {
  const known = byIdentity.get(schema);
  if (known) return known;
  const key = canonicalJson(schema);
  const cached = cache.get(key);
  if (cached) {
    byIdentity.set(schema, cached);
    return cached;
  }
  let validate: ValidateFunction;
  try {
    validate = ajv.compile(schema);
  } catch (e) {
    throw new InvalidDocumentError(
      `is not a valid JSON Schema: ${e instanceof Error ? e.message : String(e)}`,
      {
        object: at.object,
        path: at.path,
        cause: e,
      },
    );
  }
  if (cache.size >= CACHE_LIMIT) {
    cache.clear();
    byIdentity = new WeakMap();
  }
  cache.set(key, validate);
  byIdentity.set(schema, validate);
  return validate;
}

/**
 * Validates `properties` (absent means `{}`) and returns a copy with the schema's defaults
 * applied. The input is not changed.
 *
 * @throws InvalidParametersError naming the offending property, e.g.
 *   `Application examples/podinfo: spec.components[0].traits[0].properties.replicas: must be >= 0`.
 */
export function validateParameters(
  schema: Record<string, unknown>,
  properties: unknown,
  at: ParameterLocation,
): Record<string, unknown> {
  const validate = compileParameterSchema(schema);
  const value: unknown = properties === undefined || properties === null ? {} : jsonClone(properties);
  if (validate(value)) return value as Record<string, unknown>;
  const errors = validate.errors ?? [];
  const first = pickError(errors);
  if (!first) {
    throw new InvalidParametersError(at.definition, `do not match the parameters of ${at.definition}`, {
      object: at.object,
      path: at.path,
      ...(at.note === undefined ? {} : { note: at.note }),
    });
  }
  const { segments, reason } = describeError(first, at.definition);
  const more =
    errors.length > 1 ? ` (and ${errors.length - 1} more problem${errors.length > 2 ? 's' : ''})` : '';
  throw new InvalidParametersError(at.definition, `${reason}${more}`, {
    object: at.object,
    path: joinPath(at.path, segments.length > 0 ? leadingDot(formatPath(segments)) : ''),
    ...(at.note === undefined ? {} : { note: at.note }),
  });
}

function leadingDot(path: string): string {
  return path.startsWith('[') ? path : `.${path}`;
}

/** `required` and `additionalProperties` errors say more than the `anyOf` wrappers around them. */
function pickError(errors: readonly ErrorObject[]): ErrorObject | undefined {
  return errors.find((e) => !['anyOf', 'oneOf', 'if'].includes(e.keyword)) ?? errors[0];
}

function describeError(
  error: ErrorObject,
  definition: string,
): { segments: (string | number)[]; reason: string } {
  const segments = pointerToSegments(error.instancePath);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return { segments: [...segments, String(params.missingProperty)], reason: 'is required' };
    case 'additionalProperties': {
      const parent = error.parentSchema as { properties?: Record<string, unknown> } | undefined;
      const known = Object.keys(parent?.properties ?? {}).sort();
      return {
        segments: [...segments, String(params.additionalProperty)],
        reason: `is not a parameter of ${definition}${known.length > 0 ? `; known: ${known.join(', ')}` : ''}`,
      };
    }
    case 'enum':
      return {
        segments,
        reason: `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`,
      };
    case 'type':
      return { segments, reason: `must be ${String(params.type)}` };
    default:
      return { segments, reason: error.message ?? `fails ${error.keyword}` };
  }
}
