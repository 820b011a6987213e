import { MixerError } from '../errors/mixer-error.js';

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

  private constructor(readonly bytes: Uint8Array) {}

  /** Wraps raw bytes (4 or 16 of them, or none); other lengths are kept but print as `?hex`. */
  static fromBytes(bytes: Uint8Array): IpAddress {
    return new IpAddress(Uint8Array.from(bytes));
  }

  /** Parses IPv4 dotted-quad or IPv6 text like Go's net.ParseIP; the result has 16 bytes. */
  static parse(text: string): IpAddress {
    const parsed = IpAddress.tryParse(text);
    if (parsed === undefined) throw new IpAddressParseError(text);
    return parsed;
  }

  static tryParse(text: string): IpAddress | undefined {
    const v4 = parseIpv4(text);
    if (v4 !== undefined) {
      const bytes = new Uint8Array(16);
      bytes.set(V4_MAPPED_PREFIX);
      bytes.set(v4, 12);
      return new IpAddress(bytes);
    }
    const v6 = parseIpv6(text);
    return v6 === undefined ? undefined : new IpAddress(v6);
  }

  get isEmpty(): boolean {
    return this.bytes.length === 0;
  }

  /** The 4 IPv4 bytes when this is an IPv4 address in either form, else undefined. */
  toIpv4(): Uint8Array | undefined {
    if (this.bytes.length === 4) return this.bytes;
    if (this.bytes.length === 16 && V4_MAPPED_PREFIX.every((byte, index) => this.bytes[index] === byte)) {
      return this.bytes.subarray(12);
    }
    return undefined;
  }

  equals(other: IpAddress): boolean {
    return this === other || this.key() === other.key();
  }

  /** A string that is equal for equal addresses (both IPv4 forms give the same key). */
  key(): string {
    if (this.normalized === undefined) {
      const v4 = this.toIpv4();
      this.normalized = v4 !== undefined ? `4:${v4.join('.')}` : `${this.bytes.length}:${Buffer.from(this.bytes).toString('hex')}`;
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

function parseIpv4(text: string): Uint8Array | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const bytes = new Uint8Array(4);
  for (let index = 0; index < 4; index++) {
    const part = parts[index]!;
    // Decimal only, 1..3 digits, no leading zeros (as Go 1.17+ and netip require).
    if (!/^\d{1,3}$/.test(part) || (part.length > 1 && part[0] === '0')) return undefined;
    const value = Number(part);
    if (value > 255) return undefined;
    bytes[index] = value;
  }
  return bytes;
}

function parseIpv6(text: string): Uint8Array | undefined {
  if (text.length < 2 || text.includes('%')) return undefined;
  const bytes = new Uint8Array(16);
  let head = text;
  let tail = '';
  const gap = text.indexOf('::');
  if (gap >= 0) {
    head = text.slice(0, gap);
    tail = text.slice(gap + 2);
    if (tail.includes('::')) return undefined;
  }
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === '' ? [] : tail.split(':');
  const words: number[] = [];
  const parseGroups = (groups: string[], allowV4Last: boolean): number[] | undefined => {
    const out: number[] = [];
    for (let index = 0; index < groups.length; index++) {
      const group = groups[index]!;
      if (allowV4Last && index === groups.length - 1 && group.includes('.')) {
        const v4 = parseIpv4(group);
        if (v4 === undefined) return undefined;
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
        continue;
      }
      if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return undefined;
      out.push(parseInt(group, 16));
    }
    return out;
  };
  const headWords = parseGroups(headGroups, gap < 0);
  const tailWords = parseGroups(tailGroups, true);
  if (headWords === undefined || tailWords === undefined) return undefined;
  if (gap < 0) {
    if (headWords.length !== 8) return undefined;
    words.push(...headWords);
  } else {
    const missing = 8 - headWords.length - tailWords.length;
    if (missing < 1) return undefined;
    words.push(...headWords, ...new Array<number>(missing).fill(0), ...tailWords);
  }
  words.forEach((word, index) => {
    bytes[index * 2] = word >> 8;
    bytes[index * 2 + 1] = word & 0xff;
  });
  return bytes;
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
