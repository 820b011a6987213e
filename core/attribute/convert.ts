import { MixerError } from '../errors/mixer-error.js';
import type { AttributeManifest } from './manifest.js';
import { DictBag } from './dict-bag.js';
import { Duration } from './duration.js';
import { IpAddress } from './ip-address.js';
import { StringMap } from './string-map.js';
import { Timestamp } from './timestamp.js';
import { isInt64InRange, normalizeInt64, type AttributeValue } from './value.js';
import { ValueType, valueTypeName } from './value-type.js';

/** A value that does not convert to its attribute's declared type. */
export class AttributeConversionError extends MixerError {
  constructor(
    readonly attribute: string,
    readonly expected: ValueType | undefined,
    detail: string,
  ) {
    super('MIXER_ERR_ATTRIBUTE_CONVERSION', `${attribute}: ${detail}`);
  }
}

/** Several attributes of one request failed to convert; each problem names its attribute. */
export class InvalidAttributesError extends MixerError {
  constructor(readonly problems: readonly string[]) {
    super('MIXER_ERR_INVALID_ATTRIBUTES', problems.join('; '));
  }
}

function mismatch(name: string, type: ValueType, value: unknown, hint?: string): AttributeConversionError {
  const got = typeof value === 'bigint' ? value.toString() : JSON.stringify(value);
  return new AttributeConversionError(name, type, `expected ${valueTypeName(type)}, got ${got}${hint === undefined ? '' : ` (${hint})`}`);
}

const INTEGER_TEXT = /^[+-]?\d+$/;

/**
 * Converts a JSON value (as read from an HTTP/JSON request, a YAML file or the CLI) to the
 * runtime representation of `type`. With `adopt`, a string map keeps `value` itself instead of
 * a copy: only for values nobody else holds. Numbers may also arrive as decimal text and booleans as
 * `true`/`false` text, since command-line values are always text.
 */
export function convertJsonValue(name: string, type: ValueType, value: unknown, adopt = false): AttributeValue {
  switch (type) {
    case ValueType.STRING:
    case ValueType.EMAIL_ADDRESS:
    case ValueType.URI:
    case ValueType.DNS_NAME:
      if (typeof value === 'string') return value;
      throw mismatch(name, type, value);
    case ValueType.INT64: {
      if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
      if (typeof value === 'bigint' && isInt64InRange(value)) return normalizeInt64(value);
      if (typeof value === 'string' && INTEGER_TEXT.test(value.trim())) {
        const parsed = BigInt(value.trim());
        if (isInt64InRange(parsed)) return normalizeInt64(parsed);
        throw mismatch(name, type, value, 'out of the 64-bit range');
      }
      throw mismatch(name, type, value);
    }
    case ValueType.DOUBLE: {
      if (typeof value === 'number') return value;
      if (typeof value === 'string' && value.trim() !== '') {
        const parsed = Number(value);
        if (!Number.isNaN(parsed) || value.trim() === 'NaN') return parsed;
      }
      throw mismatch(name, type, value);
    }
    case ValueType.BOOL:
      if (typeof value === 'boolean') return value;
      if (value === 'true') return true;
      if (value === 'false') return false;
      throw mismatch(name, type, value);
    case ValueType.TIMESTAMP: {
      if (typeof value === 'string') {
        const parsed = Timestamp.tryParse(value);
        if (parsed !== undefined) return parsed;
      }
      throw mismatch(name, type, value, 'RFC 3339 text such as 2006-01-02T15:04:05Z');
    }
    case ValueType.DURATION: {
      if (typeof value === 'string') {
        const parsed = Duration.tryParse(value);
        if (parsed !== undefined) return parsed;
      }
      throw mismatch(name, type, value, 'duration text such as 1.5s or 300ms');
    }
    case ValueType.IP_ADDRESS: {
      if (typeof value === 'string') {
        const parsed = IpAddress.tryParse(value);
        if (parsed !== undefined) return parsed;
      }
      throw mismatch(name, type, value, 'an IPv4 or IPv6 address');
    }
    case ValueType.STRING_MAP: {
      const object = typeof value === 'string' ? parseJsonObject(value) : value;
      if (typeof object !== 'object' || object === null || Array.isArray(object)) {
        throw mismatch(name, type, value, 'an object of string values');
      }
      const record = object as Record<string, unknown>;
      for (const key in record) {
        if (typeof record[key] !== 'string' || !Object.hasOwn(record, key)) {
          throw new AttributeConversionError(name, type, `key ${JSON.stringify(key)}: expected a string value, got ${JSON.stringify(record[key])}`);
        }
      }
      // A parsed request body is ours: wrap it instead of copying it.
      return adopt && typeof value !== 'string'
        ? StringMap.adopt(record as Record<string, string>, name)
        : StringMap.fromObject(record as Record<string, string>, name);
    }
    case ValueType.BYTES:
      if (typeof value === 'string' && /^[A-Za-z0-9+/]*={0,2}$/.test(value)) return new Uint8Array(Buffer.from(value, 'base64'));
      throw mismatch(name, type, value, 'base64 text');
    default:
      throw new AttributeConversionError(name, type, `unsupported value type ${valueTypeName(type)}`);
  }
}

function parseJsonObject(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * Builds a bag from a JSON object of attribute values, each converted to the type the
 * manifest declares. Every problem is collected; an attribute the manifest does not declare is
 * an error.
 */
export function bagFromJson(object: Readonly<Record<string, unknown>>, manifest: AttributeManifest): DictBag {
  const values: [string, AttributeValue][] = [];
  const problems: string[] = [];
  for (const [name, raw] of Object.entries(object)) {
    const type = manifest.typeOf(name);
    if (type === undefined) {
      problems.push(`${name}: unknown attribute (not in the attribute manifest)`);
      continue;
    }
    try {
      values.push([name, convertJsonValue(name, type, raw)]);
    } catch (error) {
      if (!(error instanceof AttributeConversionError)) throw error;
      problems.push(error.message);
    }
  }
  if (problems.length > 0) throw new InvalidAttributesError(problems);
  return new DictBag(values);
}

/**
 * The type an attribute the manifest does not declare gets from its JSON value: strings are
 * STRING, integers INT64, other numbers DOUBLE, booleans BOOL, objects of strings STRING_MAP.
 */
export function inferJsonValueType(value: unknown): ValueType | undefined {
  if (typeof value === 'string') return ValueType.STRING;
  if (typeof value === 'boolean') return ValueType.BOOL;
  if (typeof value === 'number') return Number.isSafeInteger(value) ? ValueType.INT64 : ValueType.DOUBLE;
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((entry) => typeof entry === 'string')) {
    return ValueType.STRING_MAP;
  }
  return undefined;
}

/**
 * One attribute of a request from its JSON value: converted to the type the manifest declares
 * or, undeclared, to the type its JSON value has. Throws AttributeConversionError.
 */
export function convertRequestAttribute(name: string, raw: unknown, manifest: AttributeManifest, adopt = false): AttributeValue {
  const type = manifest.typeOf(name) ?? inferJsonValueType(raw);
  if (type === undefined) {
    throw new AttributeConversionError(name, undefined, `undeclared attribute with a value of no attribute type (${Array.isArray(raw) ? 'array' : raw === null ? 'null' : typeof raw})`);
  }
  return convertJsonValue(name, type, raw, adopt);
}

/**
 * Builds a request's bag from a JSON object as the HTTP API receives it: declared attributes
 * are converted to their declared type (a mismatch is an error naming the attribute and the
 * type); undeclared ones are accepted with the type their JSON value has.
 */
export function requestBagFromJson(object: Readonly<Record<string, unknown>>, manifest: AttributeManifest): DictBag {
  const values: [string, AttributeValue][] = [];
  const problems: string[] = [];
  for (const name in object) {
    try {
      values.push([name, convertRequestAttribute(name, object[name], manifest, true)]);
    } catch (error) {
      if (!(error instanceof AttributeConversionError)) throw error;
      problems.push(error.message);
    }
  }
  if (problems.length > 0) throw new InvalidAttributesError(problems);
  return new DictBag(values);
}
