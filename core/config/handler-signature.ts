import { createHash } from 'node:crypto';
import type { InstanceConfig } from '../../adapters/sdk/adapter-info.js';

/**
 * A stable hash of what a handler is built from: adapter name, params (normalized: map keys
 * sorted) and the instances routed to it (sorted by name). Two snapshots giving a handler the
 * same signature may share one built handler (Istio's handler/signature.go).
 */
export function handlerSignature(adapterName: string, params: unknown, instances: readonly InstanceConfig[]): string {
  const sorted = [...instances].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const text = canonicalJson({ adapter: adapterName, params, instances: sorted });
  return createHash('sha256').update(text).digest('hex');
}

/** JSON with sorted keys; bigints, Maps, Sets and class instances (Duration, IpAddress) get stable text forms. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(normalize(value, new Set()));
}

function normalize(value: unknown, seen: Set<object>): unknown {
  switch (typeof value) {
    case 'bigint':
      return `${value.toString()}n`;
    case 'undefined':
      return null;
    case 'function':
    case 'symbol':
      return String(value);
    case 'object':
      break;
    default:
      return value;
  }
  if (value === null) return null;
  if (seen.has(value)) return '[circular]';
  seen.add(value);
  try {
    if (Array.isArray(value)) return value.map((item) => normalize(item, seen));
    if (value instanceof Map) return { $map: [...value.entries()].map(([key, entry]) => [normalize(key, seen), normalize(entry, seen)]).sort(byJson) };
    if (value instanceof Set) return { $set: [...value].map((item) => normalize(item, seen)).sort(byJson) };
    if (value instanceof Uint8Array) return { $bytes: Buffer.from(value).toString('base64') };
    const prototype: unknown = Object.getPrototypeOf(value);
    if (prototype !== Object.prototype && prototype !== null) {
      const name = (value as { constructor?: { name?: string } }).constructor?.name ?? 'object';
      const toJSON = (value as { toJSON?: unknown }).toJSON;
      return { [`$${name}`]: typeof toJSON === 'function' ? normalize((toJSON as () => unknown).call(value), seen) : properties(value, seen) };
    }
    return properties(value, seen);
  } finally {
    seen.delete(value);
  }
}

/** Own enumerable properties, keys sorted. */
function properties(value: object, seen: Set<object>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) out[key] = normalize((value as Record<string, unknown>)[key], seen);
  return out;
}

function byJson(a: unknown, b: unknown): number {
  const left = JSON.stringify(a);
  const right = JSON.stringify(b);
  return left < right ? -1 : left > right ? 1 : 0;
}
