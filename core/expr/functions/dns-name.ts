import { ExpressionEvaluationError } from '../errors.js';
import { idnaToUnicode } from './idna.js';

/**
 * CEXL's `dnsName(s)`: validates `s` as a domain name the way Istio does (IDNA ToUnicode with
 * strict domain names, label validation, DNS length checks and the Bidi Rule) and returns the
 * Unicode form: NFC-normalised, with `xn--` labels decoded (`xn--bcher-kva.de` → `bücher.de`).
 * Plain labels are not checked for characters DNS disallows (`foo_bar` passes, as in Istio).
 */
export function toDnsName(text: string): string {
  const result = idnaToUnicode(text, 'validate');
  if (!result.ok) throw new ExpressionEvaluationError(`error converting '${text}' to dns name: '${result.error}'`);
  return result.value;
}

/**
 * Istio's `dnsName_equal` (behind `==` on DNS_NAME values): both names are mapped for lookup
 * (case-folded, compatibility-normalised, `xn--` labels decoded) and compared; a trailing dot on
 * only one side is ignored. A name the lookup mapping rejects is an error with the bare IDNA
 * message (`idna: disallowed rune U+005F`), as in Istio.
 */
export function dnsNameEquals(a: string, b: string): boolean {
  let left = lookupForm(a);
  let right = lookupForm(b);
  if (left !== '' && right !== '') {
    const leftDot = left.endsWith('.');
    const rightDot = right.endsWith('.');
    if (leftDot && !rightDot) left = left.slice(0, -1);
    else if (rightDot && !leftDot) right = right.slice(0, -1);
  }
  return left === right;
}

function lookupForm(name: string): string {
  const result = idnaToUnicode(name, 'lookup');
  if (!result.ok) throw new ExpressionEvaluationError(result.error);
  return result.value;
}
