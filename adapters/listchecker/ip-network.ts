import { IpAddress } from '../../core/attribute/ip-address.js';
import { MixerError } from '../../core/errors/mixer-error.js';

const V4_MAPPED_PREFIX = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff] as const;

/** Text Go's net.ParseCIDR rejects; the message is Go's (`invalid CIDR address: 1.2.3.4/33`). */
export class CidrParseError extends MixerError {
  constructor(readonly text: string) {
    super('ADPT_ERR_LIST_CIDR', `invalid CIDR address: ${text}`);
  }
}

/**
 * An IP network as Go's net.ParseCIDR builds it, with Go's net.IPNet.Contains semantics: an
 * IPv4 network (from dotted-quad text, or IPv6 text whose masked address is IPv4-mapped, e.g.
 * `::ffff:10.0.0.0/104` = `10.0.0.0/8`) contains only IPv4 addresses (in either form); an IPv6
 * network contains only IPv6 addresses that are not IPv4-mapped.
 */
export class IpNetwork {
  private constructor(
    /** The masked network address: 4 bytes for IPv4, 16 for IPv6. */
    readonly address: Uint8Array,
    /** Prefix length in bits over `address`. */
    readonly prefix: number,
  ) {}

  /** Go's net.ParseCIDR: `address/prefix`, the prefix at most 32 for dotted quads, 128 for IPv6 text. */
  static parseCidr(text: string): IpNetwork {
    const slash = text.indexOf('/');
    if (slash < 0) throw new CidrParseError(text);
    const addressText = text.slice(0, slash);
    const prefixText = text.slice(slash + 1);
    const ip = IpAddress.tryParse(addressText);
    const bits = addressText.includes(':') ? 128 : 32;
    if (ip === undefined || !/^[0-9]+$/.test(prefixText)) throw new CidrParseError(text);
    const prefix = Number(prefixText);
    if (prefix > bits) throw new CidrParseError(text);
    if (bits === 32) return new IpNetwork(mask(ip.toIpv4()!, prefix), prefix);
    const masked = mask(ip.bytes, prefix);
    if (V4_MAPPED_PREFIX.every((byte, index) => masked[index] === byte)) return new IpNetwork(masked.slice(12), prefix - 96);
    return new IpNetwork(masked, prefix);
  }

  /**
   * A list entry: a CIDR, or a bare address meaning that one host (`/32` for IPv4; `/128` for
   * IPv6, where Istio appended `/32` to any bare address and so turned an IPv6 host into a /32).
   */
  static parseEntry(text: string): IpNetwork {
    if (text.includes('/')) return IpNetwork.parseCidr(text);
    return IpNetwork.parseCidr(`${text}/${text.includes(':') ? 128 : 32}`);
  }

  get isIpv4(): boolean {
    return this.address.length === 4;
  }

  contains(ip: IpAddress): boolean {
    const v4 = ip.toIpv4();
    let candidate: Uint8Array;
    if (this.isIpv4) {
      if (v4 === undefined) return false;
      candidate = v4;
    } else {
      if (v4 !== undefined || ip.bytes.length !== 16) return false;
      candidate = ip.bytes;
    }
    const whole = this.prefix >> 3;
    for (let index = 0; index < whole; index++) if (candidate[index] !== this.address[index]) return false;
    const rest = this.prefix & 7;
    if (rest === 0) return true;
    const bitMask = (0xff << (8 - rest)) & 0xff;
    return ((candidate[whole]! ^ this.address[whole]!) & bitMask) === 0;
  }

  toString(): string {
    const text = this.isIpv4 ? this.address.join('.') : IpAddress.fromBytes(this.address).toString();
    return `${text}/${this.prefix}`;
  }
}

function mask(bytes: Uint8Array, prefix: number): Uint8Array {
  const out = Uint8Array.from(bytes);
  for (let index = 0; index < out.length; index++) {
    const keep = Math.max(0, Math.min(8, prefix - index * 8));
    out[index] = out[index]! & ((0xff << (8 - keep)) & 0xff);
  }
  return out;
}
