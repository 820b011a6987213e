import { Duration } from '../../core/attribute/duration.js';
import { IpAddress } from '../../core/attribute/ip-address.js';
import { StringMap } from '../../core/attribute/string-map.js';
import { Timestamp } from '../../core/attribute/timestamp.js';
import type { InstanceValue } from '../../templates/template.js';

type Dimensions = Readonly<Record<string, InstanceValue>>;

const GO_TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const GO_FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

/**
 * Whether an instance's dimension value equals an override's configured text: strings compare
 * as they are; numbers, booleans, IP addresses, timestamps and durations compare after parsing
 * the text as that type (so `"200"` matches the INT64 200 and `"10.0.0.1"` the IP). Missing
 * values and maps never match.
 */
export function dimensionMatches(value: InstanceValue, configured: string): boolean {
  if (value === undefined) return false;
  if (typeof value === 'string') return value === configured;
  if (typeof value === 'boolean') return value ? GO_TRUE.has(configured) : GO_FALSE.has(configured);
  if (typeof value === 'number') return configured.trim() !== '' && Number(configured) === value;
  if (typeof value === 'bigint') return /^[-+]?[0-9]+$/.test(configured) && BigInt(configured) === value;
  if (value instanceof IpAddress) return IpAddress.tryParse(configured)?.equals(value) ?? false;
  if (value instanceof Timestamp) return Timestamp.tryParse(configured)?.equals(value) ?? false;
  if (value instanceof Duration) return Duration.tryParse(configured)?.equals(value) ?? false;
  return false;
}

/** True when every configured dimension matches the instance's (an empty set matches everything). */
export function dimensionsMatch(configured: ReadonlyArray<readonly [string, string]>, dimensions: Dimensions): boolean {
  return configured.every(([name, text]) => dimensionMatches(dimensions[name], text));
}

/**
 * The bucket key of an allocation: the quota name plus every dimension, sorted by name, each
 * value tagged with its type so that distinct values never share a bucket.
 */
export function quotaKey(quotaName: string, dimensions: Dimensions): string {
  const parts: string[] = [quotaName];
  for (const name of Object.keys(dimensions).sort()) parts.push(name, encode(dimensions[name]));
  return JSON.stringify(parts);
}

function encode(value: InstanceValue): string {
  if (value === undefined) return 'u';
  if (typeof value === 'string') return `s${value}`;
  if (typeof value === 'number') return Number.isInteger(value) ? `i${value}` : `d${value}`;
  if (typeof value === 'bigint') return `i${value}`;
  if (typeof value === 'boolean') return `b${value}`;
  if (value instanceof IpAddress) return `p${value.key()}`;
  if (value instanceof Timestamp) return `t${value.toString()}`;
  if (value instanceof Duration) return `r${value.nanos}`;
  if (value instanceof StringMap) return `m${JSON.stringify(value.toObject())}`;
  return `x${Buffer.from(value).toString('hex')}`;
}
