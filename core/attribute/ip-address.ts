import { MixerError } from '../errors/mixer-error.js';
import { goQuote } from './go-quote.js';

const V4_MAPPED_PREFIX = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff] as const;

export class IpAddressParseError extends MixerError {
  constructor(readonly text: string) {
    super('MIXER_ERR_IP_ADDRESS', `could not convert ${text} to IP_ADDRESS`);
  }
}

/**
 * An IP address as Istio carries it: raw bytes, 4 for IPv4 or 16 for IPv6 (IPv4 may also come
 * in the 16-byte IPv4-mapped form). Equality treats both IPv4 forms as the same address, like
 * Go's net.IP.Equal. The empty address (no bytes) is CEL's zero value. Immutable.
 */
export class IpAddress {
  static readonly EMPTY = new IpAddress(new Uint8Array(0));

  private text: string | undefined;
  private normalized: string | undefined;
  /** The IPv4 view of an IPv4-mapped address (null: not one), computed on first use. */
  private ipv4: Uint8Array | null | undefined;

  private constructor(readonly bytes: Uint8Array) {}

  /** Wraps raw bytes (4 or 16 of them, or none); other lengths are kept but print as `?hex`. */
  static fromBytes(bytes: Uint8Array): IpAddress {
    return new IpAddress(Uint8Array.from(bytes));
  }

  /**
   * Parses text like Go's net.ParseIP: a dotted quad (no leading zeros, as since Go 1.17) or
   * IPv6 text (with an embedded dotted quad allowed in the last 32 bits); zones (`fe80::1%eth0`)
   * are rejected. The result always has 16 bytes, IPv4 in the IPv4-mapped form.
   */
  static parse(text: string): IpAddress {
    const parsed = IpAddress.tryParse(text);
    if (parsed === undefined) throw new IpAddressParseError(text);
    return parsed;
  }

  static tryParse(text: string): IpAddress | undefined {
    const parsed = parseAddr(text);
    if (!parsed.ok || parsed.zone !== '') return undefined;
    if (parsed.bytes.length === 16) return new IpAddress(parsed.bytes);
    const bytes = new Uint8Array(16);
    bytes.set(V4_MAPPED_PREFIX);
    bytes.set(parsed.bytes, 12);
    return new IpAddress(bytes);
  }

  get isEmpty(): boolean {
    return this.bytes.length === 0;
  }

  /** The 4 IPv4 bytes when this is an IPv4 address in either form, else undefined. */
  toIpv4(): Uint8Array | undefined {
    const bytes = this.bytes;
    if (bytes.length === 4) return bytes;
    if (bytes.length !== 16) return undefined;
    if (this.ipv4 === undefined) {
      let mapped = true;
      for (let index = 0; index < 12; index++) if (bytes[index] !== V4_MAPPED_PREFIX[index]) mapped = false;
      // Every report serializes the same few addresses (the sidecar's own, its peers'): once each.
      this.ipv4 = mapped ? bytes.subarray(12) : null;
    }
    return this.ipv4 ?? undefined;
  }

  equals(other: IpAddress): boolean {
    return this === other || this.key() === other.key();
  }

  /** A string that is equal for equal addresses (both IPv4 forms give the same key). */
  key(): string {
    if (this.normalized === undefined) {
      const v4 = this.toIpv4();
      this.normalized =
        v4 !== undefined ? `4:${v4.join('.')}` : `${this.bytes.length}:${Buffer.from(this.bytes).toString('hex')}`;
    }
    return this.normalized;
  }

  /** Go's net.IP.String(): dotted quad for IPv4, RFC 5952 text for IPv6, `""` when empty. */
  toString(): string {
    this.text ??= formatIp(this);
    return this.text;
  }

  toJSON(): string {
    return this.toString();
  }
}

/** The outcome of Go's netip.ParseAddr: 4 or 16 bytes and a zone, or Go's error text. */
export type NetipParseResult =
  | { readonly ok: true; readonly bytes: Uint8Array; readonly zone: string }
  | { readonly ok: false; readonly error: string };

/**
 * Go's netip.ParseAddr. IPv4 gives 4 bytes, IPv6 16 (with the zone after `%`, if any). Errors
 * carry Go's text, e.g. `ParseAddr("1.2.3"): IPv4 address too short`, which net/url embeds;
 * `quote` renders the quoted parts (net/url passes a byte-string quoter).
 */
export function parseNetipAddr(text: string, quote: (text: string) => string = goQuote): NetipParseResult {
  const result = parseAddr(text);
  if (result.ok) return result;
  const suffix = result.at === undefined || result.at === '' ? '' : ` (at ${quote(result.at)})`;
  return { ok: false, error: `ParseAddr(${quote(text)}): ${result.message}${suffix}` };
}

type AddrResult =
  | { readonly ok: true; readonly bytes: Uint8Array; readonly zone: string }
  | { readonly ok: false; readonly message: string; readonly at?: string };

function parseAddr(text: string): AddrResult {
  for (let index = 0; index < text.length; index++) {
    switch (text.charCodeAt(index)) {
      case 0x2e:
        return parseIpv4(text);
      case 0x3a:
        return parseIpv6(text);
      case 0x25:
        return addrError('missing IPv6 address');
    }
  }
  return addrError('unable to parse IP');
}

function addrError(message: string, at?: string): AddrResult {
  return at === undefined ? { ok: false, message } : { ok: false, message, at };
}

function parseIpv4(text: string): AddrResult {
  const bytes = new Uint8Array(4);
  const error = parseIpv4Fields(text, 0, text.length, bytes, 0);
  return error ?? { ok: true, bytes, zone: '' };
}

/** Reads a dotted quad from text[start, end) into bytes[offset..offset+3]. */
function parseIpv4Fields(
  input: string,
  start: number,
  end: number,
  bytes: Uint8Array,
  offset: number,
): AddrResult | undefined {
  let value = 0;
  let field = 0;
  let digits = 0;
  for (let index = start; index < end; index++) {
    const code = input.charCodeAt(index);
    if (code >= 0x30 && code <= 0x39) {
      if (digits === 1 && value === 0) return addrError('IPv4 field has octet with leading zero');
      value = value * 10 + code - 0x30;
      digits++;
      if (value > 255) return addrError('IPv4 field has value >255');
    } else if (code === 0x2e) {
      if (index === start || index === end - 1 || input.charCodeAt(index - 1) === 0x2e) {
        return addrError('IPv4 field must have at least one digit', input.slice(index, end));
      }
      if (field === 3) return addrError('IPv4 address too long');
      bytes[offset + field] = value;
      field++;
      value = 0;
      digits = 0;
    } else {
      return addrError('unexpected character', input.slice(index, end));
    }
  }
  if (field < 3) return addrError('IPv4 address too short');
  bytes[offset + 3] = value;
  return undefined;
}

function parseIpv6(input: string): AddrResult {
  let text = input;
  let zone = '';
  const percent = input.indexOf('%');
  if (percent >= 0) {
    text = input.slice(0, percent);
    zone = input.slice(percent + 1);
    if (zone === '') return addrError('zone must be a non-empty string');
  }
  const bytes = new Uint8Array(16);
  let ellipsis = -1;
  let position = 0;
  if (text.startsWith('::')) {
    ellipsis = 0;
    position = 2;
    if (position === text.length) return { ok: true, bytes, zone };
  }
  let filled = 0;
  while (filled < 16) {
    // A hex group of at most four digits.
    let digits = 0;
    let value = 0;
    for (; position + digits < text.length; digits++) {
      const nibble = hexValue(text.charCodeAt(position + digits));
      if (nibble < 0) break;
      value = value * 16 + nibble;
      if (digits > 3) return addrError('each group must have 4 or less digits', text.slice(position));
      if (value > 0xffff) return addrError('IPv6 field has value >=2^16', text.slice(position));
    }
    if (digits === 0) {
      return addrError('each colon-separated field must have at least one digit', text.slice(position));
    }
    // A dot after the group means an embedded IPv4 address in the last 32 bits.
    if (position + digits < text.length && text.charCodeAt(position + digits) === 0x2e) {
      if (ellipsis < 0 && filled !== 12) {
        return addrError('embedded IPv4 address must replace the final 2 fields of the address', text.slice(position));
      }
      if (filled + 4 > 16) {
        return addrError('too many hex fields to fit an embedded IPv4 at the end of the address', text.slice(position));
      }
      const error = parseIpv4Fields(input, position, text.length, bytes, filled);
      if (error !== undefined) return error;
      position = text.length;
      filled += 4;
      break;
    }
    bytes[filled] = value >> 8;
    bytes[filled + 1] = value & 0xff;
    filled += 2;
    position += digits;
    if (position === text.length) break;
    if (text.charCodeAt(position) !== 0x3a) {
      return addrError('unexpected character, want colon', text.slice(position));
    }
    if (position === text.length - 1) {
      return addrError('colon must be followed by more characters', text.slice(position));
    }
    position++;
    if (text.charCodeAt(position) === 0x3a) {
      if (ellipsis >= 0) return addrError('multiple :: in address', text.slice(position));
      ellipsis = filled;
      position++;
      if (position === text.length) break;
    }
  }
  if (position !== text.length) return addrError('trailing garbage after address', text.slice(position));
  if (filled < 16) {
    if (ellipsis < 0) return addrError('address string too short');
    const gap = 16 - filled;
    bytes.copyWithin(ellipsis + gap, ellipsis, filled);
    bytes.fill(0, ellipsis, ellipsis + gap);
  } else if (ellipsis >= 0) {
    return addrError('the :: must expand to at least one field of zeros');
  }
  return { ok: true, bytes, zone };
}

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x61 && code <= 0x66) return code - 0x61 + 10;
  if (code >= 0x41 && code <= 0x46) return code - 0x41 + 10;
  return -1;
}

function formatIp(ip: IpAddress): string {
  if (ip.isEmpty) return '';
  const v4 = ip.toIpv4();
  if (v4 !== undefined) return v4.join('.');
  const bytes = ip.bytes;
  if (bytes.length !== 16) return `?${Buffer.from(bytes).toString('hex')}`;
  const words: number[] = [];
  for (let index = 0; index < 16; index += 2) words.push((bytes[index]! << 8) | bytes[index + 1]!);
  // Find the longest run (length >= 2) of zero words to shorten with "::".
  let bestStart = -1;
  let bestLength = 0;
  for (let index = 0; index < 8; ) {
    if (words[index] !== 0) {
      index++;
      continue;
    }
    let end = index;
    while (end < 8 && words[end] === 0) end++;
    if (end - index > bestLength && end - index >= 2) {
      bestStart = index;
      bestLength = end - index;
    }
    index = end;
  }
  const hex = words.map((word) => word.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}
