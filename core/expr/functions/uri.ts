import { ExpressionEvaluationError } from '../errors.js';
import { dnsNameEquals } from './dns-name.js';
import { type GoUrl, formatGoUrl, fromByteString, parseGoUrl, urlHostname, urlPort } from './go-url.js';

/**
 * CEXL's `uri(s)`: the text must be non-empty and parse as a URL reference under Go's
 * url.Parse rules (scheme syntax, escapes, host and port, control characters); it is returned
 * unchanged. Errors are Istio's: `error converting string to uri: empty string`, `error
 * converting string to uri ':/': 'parse :/: missing protocol scheme'`.
 */
export function toUri(text: string): string {
  if (text === '') throw new ExpressionEvaluationError('error converting string to uri: empty string');
  parse(text);
  return text;
}

/**
 * Istio's `uri_equal` (behind `==` on URI values). Schemes compare case-insensitively; for http
 * and https the host names are compared as DNS names (so case and one trailing dot do not
 * matter; an IDNA error is thrown bare, as in Istio) and the ports must be equal; then the two
 * URLs as Go re-serialises them must be equal.
 */
export function uriEquals(a: string, b: string): boolean {
  const left = parse(a);
  const right = parse(b);
  // Go's parser has already lower-cased both schemes.
  if (left.scheme !== right.scheme) return false;
  if (left.scheme === 'http' || left.scheme === 'https') {
    if (!dnsNameEquals(fromByteString(urlHostname(left)), fromByteString(urlHostname(right)))) return false;
    if (urlPort(left) !== urlPort(right)) return false;
    left.host = right.host;
  }
  return formatGoUrl(left) === formatGoUrl(right);
}

function parse(text: string): GoUrl {
  const result = parseGoUrl(text);
  if (!result.ok) throw new ExpressionEvaluationError(`error converting string to uri '${text}': '${result.error}'`);
  return result.url;
}
