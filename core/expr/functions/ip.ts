import { IpAddress } from '../../attribute/ip-address.js';
import { ExpressionEvaluationError } from '../errors.js';

/**
 * CEXL's `ip(s)`: parses IPv4 or IPv6 text with Go's net.ParseIP rules (no leading zeros in
 * IPv4, no zones); the value has 16 bytes. Error: `could not convert <s> to IP_ADDRESS`.
 */
export function toIpAddress(text: string): IpAddress {
  const address = IpAddress.tryParse(text);
  if (address === undefined) throw new ExpressionEvaluationError(`could not convert ${text} to IP_ADDRESS`);
  return address;
}
