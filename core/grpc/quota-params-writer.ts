import { WireType } from './wire-reader.js';
import type { WireWriter } from './wire-writer.js';

/**
 * One `map<string, QuotaParams>` entry as field `field`: name (1) → QuotaParams (2)
 * {amount (1), best_effort (2)}, zero values left out. Mixer's CheckRequest.quotas and the
 * out-of-process QuotaRequest.quotas share this shape.
 */
export function writeQuotaEntry(writer: WireWriter, field: number, name: string, amount: number, bestEffort: boolean): void {
  const entry = writer.begin(field);
  writer.tag(1, WireType.LENGTH_DELIMITED);
  writer.string(name);
  const params = writer.begin(2);
  if (amount !== 0) {
    writer.tag(1, WireType.VARINT);
    writer.int64(amount);
  }
  if (bestEffort) {
    writer.tag(2, WireType.VARINT);
    writer.bool(true);
  }
  writer.end(params);
  writer.end(entry);
}
