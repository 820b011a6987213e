import { createHash } from 'node:crypto';
import type { InstanceValue } from '../../templates/template.js';
import { quotaKey } from '../memquota/dimensions.js';
import type { Algorithm } from './params.js';

/** Every key this adapter writes starts with this. */
export const KEY_PREFIX = 'redisquota:';

/** Dedup ids longer than this are hashed, so a client cannot make keys arbitrarily long. */
const MAX_RAW_DEDUP_ID = 100;

/** The Redis keys of one bucket; they share one hash tag, hence one cluster slot. */
export interface BucketKeys {
  /** FIXED_WINDOW: the window hash. ROLLING_WINDOW: the bucket counts. */
  readonly state: string;
  /** ROLLING_WINDOW: the sorted set of bucket start times (FIXED_WINDOW: the state key again). */
  readonly index: string;
}

/**
 * Istio's override hash (`getDimensionHash`): FNV-1a (32 bit) over the override's dimensions
 * sorted by name, each as `name\tvalue\n`, in decimal. Computed once per override at build.
 */
export function overrideHash(dimensions: Readonly<Record<string, string>>): string {
  let hash = 0x811c9dc5;
  for (const name of Object.keys(dimensions).sort()) {
    for (const byte of Buffer.from(`${name}\t${dimensions[name]}\n`, 'utf8')) {
      hash ^= byte;
      hash = Math.imul(hash, 0x01000193) >>> 0;
    }
  }
  return String(hash >>> 0);
}

/**
 * The hash tag of a quota bucket: the instance name, a digest of the instance's dimensions
 * (typed, in name order, as memquota keys them) and, when an override matched, `o` plus the
 * override's hash. Braces cannot occur in it, so it is a valid Redis Cluster hash tag.
 */
export function bucketTag(instanceName: string, dimensions: Readonly<Record<string, InstanceValue>>, overrideSuffix: string): string {
  const digest = createHash('sha1').update(quotaKey(instanceName, dimensions)).digest('base64url').slice(0, 22);
  return `${instanceName.replace(/[{}]/g, '_')}|${digest}${overrideSuffix === '' ? '' : `|o${overrideSuffix}`}`;
}

/** The keys of bucket `tag` for `algorithm`. */
export function bucketKeys(tag: string, algorithm: Algorithm): BucketKeys {
  const base = `${KEY_PREFIX}{${tag}}`;
  return algorithm === 'FIXED_WINDOW' ? { state: `${base}:fixed`, index: `${base}:fixed` } : { state: `${base}:rolling`, index: `${base}:rolling:buckets` };
}

/** The record of a deduplication id, beside its bucket (long ids are hashed). */
export function dedupKey(tag: string, deduplicationId: string): string {
  const id = deduplicationId.length > MAX_RAW_DEDUP_ID ? `#${createHash('sha1').update(deduplicationId).digest('base64url')}` : deduplicationId;
  return `${KEY_PREFIX}{${tag}}:dedup:${id}`;
}
