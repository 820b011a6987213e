import type { AttributeBag } from '../attribute/bag.js';
import type { ReportBatchBuilder } from '../client/transport.js';
import { Duration } from '../attribute/duration.js';
import { IpAddress } from '../attribute/ip-address.js';
import type { AttributeManifest } from '../attribute/manifest.js';
import { StringMap } from '../attribute/string-map.js';
import { Timestamp } from '../attribute/timestamp.js';
import type { AttributeValue } from '../attribute/value.js';
import { bagEntries, CompressedAttributesEncoder } from './attribute-encoder.js';
import { WireReader, WireType } from './wire-reader.js';
import { WireWriter } from './wire-writer.js';
import { WordList } from './word-list.js';
import { WordTable } from './word-table.js';

/** istio.mixer.v1.ReportRequest.RepeatedAttributesSemantics. */
export const ReportEncoding = {
  /** Entry i changes the bag accumulated from entries 0..i−1 (Istio 1.0 clients; the proto default). */
  DELTA: 0,
  /** Every entry is a whole bag (Istio 1.1+ clients). */
  INDEPENDENT: 1,
} as const;
export type ReportEncoding = (typeof ReportEncoding)[keyof typeof ReportEncoding];

/** A ReportRequest as the server receives it: entries still undecoded (each is decoded on its own). */
export interface DecodedReportRequest {
  readonly buf: Buffer;
  /** start, end pairs: the bytes of each CompressedAttributes entry, in order. */
  readonly entries: readonly number[];
  readonly defaultWords: WordList;
  readonly globalWordCount: number;
  /** The raw enum value (a value other than 0 or 1 is kept, so the server can name it). */
  readonly encoding: number;
}

/**
 * Decodes the frame of a ReportRequest: attributes (1), default_words (2),
 * global_word_count (3), repeated_attributes_semantics (4). The entries themselves are decoded
 * later, one by one, so one bad entry does not spoil the others. Throws WireFormatError.
 */
export function decodeReportRequest(buf: Buffer): DecodedReportRequest {
  const reader = new WireReader(buf);
  const entries: number[] = [];
  const words: number[] = [];
  let globalWordCount = 0;
  let encoding = 0;
  while (!reader.atEnd) {
    const tag = reader.tag();
    switch (tag >>> 3) {
      case 1:
      case 2: {
        reader.expect(tag, WireType.LENGTH_DELIMITED, tag >>> 3 === 1 ? 'ReportRequest.attributes' : 'ReportRequest.default_words');
        const end = reader.delimitedEnd();
        (tag >>> 3 === 1 ? entries : words).push(reader.pos, end);
        reader.pos = end;
        break;
      }
      case 3:
        reader.expect(tag, WireType.VARINT, 'ReportRequest.global_word_count');
        globalWordCount = reader.uint32();
        break;
      case 4:
        reader.expect(tag, WireType.VARINT, 'ReportRequest.repeated_attributes_semantics');
        encoding = reader.int32();
        break;
      default:
        reader.skip(tag & 7);
    }
  }
  return { buf, entries, defaultWords: words.length > 0 ? new WordList(buf, words) : WordList.EMPTY, globalWordCount, encoding };
}

/**
 * Encodes a batch of reports. INDEPENDENT (Envoy 1.1+): one request, every entry a whole bag,
 * all compressed against one shared dictionary sent as `default_words`. DELTA (Envoy 1.0):
 * entry i carries only what changed since entry i−1; an attribute that disappears cannot be
 * expressed, so the batch is split there and each part is its own request.
 */
export function encodeReportRequests(
  batch: readonly AttributeBag[],
  encoding: ReportEncoding,
  manifest: AttributeManifest,
  globalWordCount: number,
): Buffer[] {
  if (encoding === ReportEncoding.INDEPENDENT) return [encodeOne(batch, encoding, manifest, globalWordCount)];
  const bags = batch.map(bagEntries);
  const requests: Buffer[] = [];
  let part: [string, AttributeValue][][] = [];
  let previous: Map<string, AttributeValue> | undefined;
  for (const entries of bags) {
    const current = new Map(entries);
    if (previous !== undefined && [...previous.keys()].some((name) => !current.has(name))) {
      requests.push(encodeOne(part, encoding, manifest, globalWordCount));
      part = [];
      previous = undefined;
    }
    part.push(previous === undefined ? entries : entries.filter(([name, value]) => !sameValue(previous!.get(name), value)));
    previous = current;
  }
  if (part.length > 0) requests.push(encodeOne(part, encoding, manifest, globalWordCount));
  return requests;
}

function encodeOne(entries: readonly (AttributeBag | readonly (readonly [string, AttributeValue])[])[], encoding: ReportEncoding, manifest: AttributeManifest, globalWordCount: number): Buffer {
  const builder = new ReportRequestBuilder(encoding, manifest, globalWordCount, 1024 * entries.length);
  for (const attributes of entries) builder.add(attributes);
  return builder.finish();
}

/**
 * Entries a ReportRequestBuilder holds before encoding them in one run: long enough for the
 * encoder's code and tables to stay hot through the run, short enough that a run (about 3 µs an
 * entry) never holds the event loop for long.
 */
const ENCODE_RUN = 32;

type ReportEntry = AttributeBag | readonly (readonly [string, AttributeValue])[];

/**
 * A ReportRequest written as entries are added: they are encoded in runs of ENCODE_RUN, each
 * CompressedAttributes into the buffer, its words into the batch's one table; `finish` encodes
 * the rest, appends the shared words (and the word count and encoding) and returns the request,
 * the same bytes each time it is called. An added entry must not change afterwards.
 */
export class ReportRequestBuilder implements ReportBatchBuilder {
  private readonly writer: WireWriter;
  private readonly table: WordTable;
  private readonly encoder: CompressedAttributesEncoder;
  private readonly pending: ReportEntry[] = [];
  private finished: Buffer | undefined;
  size = 0;

  constructor(
    private readonly encoding: ReportEncoding,
    manifest: AttributeManifest,
    private readonly globalWordCount: number,
    initialBytes = 64 * 1024,
  ) {
    this.writer = new WireWriter(initialBytes);
    this.table = new WordTable(globalWordCount);
    this.encoder = new CompressedAttributesEncoder(this.table, manifest);
  }

  add(attributes: ReportEntry): void {
    if (this.finished !== undefined) throw new Error('ReportRequestBuilder: add after finish');
    this.pending.push(attributes);
    this.size++;
    if (this.pending.length >= ENCODE_RUN) this.encodePending();
  }

  finish(): Buffer {
    if (this.finished !== undefined) return this.finished;
    this.encodePending();
    const writer = this.writer;
    for (const word of this.table.words) {
      writer.tag(2, WireType.LENGTH_DELIMITED);
      writer.string(word);
    }
    if (this.globalWordCount !== 0) {
      writer.tag(3, WireType.VARINT);
      writer.uint32(this.globalWordCount);
    }
    if (this.encoding !== ReportEncoding.DELTA) {
      writer.tag(4, WireType.VARINT);
      writer.uint32(this.encoding);
    }
    this.finished = Buffer.from(writer.finish());
    return this.finished;
  }

  private encodePending(): void {
    const { writer, encoder, pending } = this;
    for (let index = 0; index < pending.length; index++) {
      const mark = writer.begin(1);
      encoder.write(writer, pending[index]!);
      writer.end(mark);
    }
    pending.length = 0;
  }
}

/** Whether two attribute values are the same (for DELTA encoding: unchanged values are left out). */
export function sameValue(a: AttributeValue | undefined, b: AttributeValue): boolean {
  if (a === b) return true;
  if (a === undefined) return false;
  if (a instanceof Timestamp) return b instanceof Timestamp && a.equals(b);
  if (a instanceof Duration) return b instanceof Duration && a.equals(b);
  if (a instanceof IpAddress) return b instanceof IpAddress && Buffer.from(a.bytes).equals(b.bytes);
  if (a instanceof StringMap) {
    if (!(b instanceof StringMap) || a.size !== b.size) return false;
    for (const [key, value] of a.entries) if (b.get(key) !== value) return false;
    return true;
  }
  if (a instanceof Uint8Array) return b instanceof Uint8Array && Buffer.from(a).equals(b);
  return false;
}
