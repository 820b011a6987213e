import type { AttributeBag } from '../attribute/bag.js';
import { ChildBag } from '../attribute/child-bag.js';
import type { AttributeManifest } from '../attribute/manifest.js';
import type { AttributeValue } from '../attribute/value.js';
import { AttributeDecodeError, decodeCompressedAttributes } from './compressed-attributes.js';
import { ProtoBag } from './proto-bag.js';
import { ReportEncoding, type DecodedReportRequest } from './report-request-codec.js';
import { WireFormatError } from './wire-reader.js';

/** The bags of a Report, and what was wrong with the entries that could not become one. */
export interface ReportBags {
  readonly bags: AttributeBag[];
  /** One message per bad entry, naming it (`attributes[2]: ...`). */
  readonly errors: string[];
}

/**
 * Turns the entries of a ReportRequest into bags, as Mixer does. An entry with empty words uses
 * the request's default_words. INDEPENDENT: each entry is a bag of its own, read lazily; a bad
 * entry is reported and the others still count. DELTA: entry 0 is the foundation and every
 * later entry is applied, eagerly, to the bag accumulated so far (a name in two maps of one
 * entry is a "duplicate attribute"); a bad entry ends the batch, since every later entry is a
 * change to a state that is no longer known.
 */
export function reportBags(request: DecodedReportRequest, manifest: AttributeManifest): ReportBags {
  const { buf, entries, defaultWords } = request;
  const bags: AttributeBag[] = [];
  const errors: string[] = [];
  const count = entries.length / 2;
  if (request.encoding !== ReportEncoding.DELTA && request.encoding !== ReportEncoding.INDEPENDENT) {
    errors.push(`repeated_attributes_semantics ${request.encoding} is neither DELTA_ENCODING (0) nor INDEPENDENT_ENCODING (1)`);
    return { bags, errors };
  }
  let foundation: ProtoBag | undefined;
  let accumulated: Map<string, AttributeValue> | undefined;
  for (let index = 0; index < count; index++) {
    try {
      const decoded = decodeCompressedAttributes(buf, entries[index * 2]!, entries[index * 2 + 1]!, defaultWords);
      const bag = ProtoBag.create(decoded, manifest);
      if (request.encoding === ReportEncoding.INDEPENDENT) {
        bags.push(bag);
      } else if (foundation === undefined) {
        foundation = bag;
        accumulated = new Map();
        bags.push(bag);
      } else {
        const changes = accumulated!;
        // A repeated map key is protobuf's "last one wins"; the same name twice otherwise is an error.
        const seen = new Map<string, string>();
        for (const entry of decoded.entries) {
          const name = decoded.words.resolve(entry.name);
          const key = `${entry.field}:${entry.name}`;
          if ((seen.get(name) ?? key) !== key) throw new AttributeDecodeError(`duplicate attribute ${name}`);
          seen.set(name, key);
        }
        for (const name of seen.keys()) {
          const value = bag.get(name);
          if (value !== undefined) changes.set(name, value);
        }
        const snapshot = new ChildBag(foundation);
        for (const [name, value] of changes) snapshot.set(name, value);
        bags.push(snapshot);
      }
    } catch (error) {
      if (!(error instanceof WireFormatError) && !(error instanceof AttributeDecodeError)) throw error;
      errors.push(`attributes[${index}]: ${error.message}`);
      if (request.encoding === ReportEncoding.DELTA) {
        if (index + 1 < count) errors.push(`attributes[${index + 1}..${count - 1}]: not applied (DELTA_ENCODING entries change the bag of the entry before them)`);
        break;
      }
    }
  }
  return { bags, errors };
}
