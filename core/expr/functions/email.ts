import { ExpressionEvaluationError } from '../errors.js';
import { dnsNameEquals, toDnsName } from './dns-name.js';
import { parseMailAddress } from './go-mail.js';

/**
 * CEXL's `email(s)`: `s` must be exactly one RFC 5322 address without a display name (Go's
 * mail.ParseAddress rules), and its domain must pass dnsName(); the text is returned verbatim.
 * Errors are Istio's: `error converting '<s>' to e-mail: 'mail: no address'`, `...: display
 * names are not allowed`, or the dnsName() error quoted the same way.
 */
export function toEmail(text: string): string {
  const parsed = parseMailAddress(text);
  if (!parsed.ok) throw new ExpressionEvaluationError(`error converting '${text}' to e-mail: '${parsed.error}'`);
  if (parsed.name !== '') {
    throw new ExpressionEvaluationError(`error converting '${text}' to e-mail: display names are not allowed`);
  }
  try {
    toDnsName(splitAddress(parsed.address).domain);
  } catch (error) {
    if (!(error instanceof ExpressionEvaluationError)) throw error;
    throw new ExpressionEvaluationError(`error converting '${text}' to e-mail: '${error.message}'`);
  }
  return text;
}

/**
 * Istio's `email_equal` (behind `==` on EMAIL_ADDRESS values): both texts are parsed (a parse
 * failure throws Go's bare mail error), the local parts must be byte-equal after unquoting
 * (`"istio"@istio.io` equals `istio@istio.io`) and the domains equal as DNS names.
 */
export function emailEquals(a: string, b: string): boolean {
  const left = parse(a);
  const right = parse(b);
  let domainsEqual: boolean;
  try {
    domainsEqual = dnsNameEquals(left.domain, right.domain);
  } catch (error) {
    if (!(error instanceof ExpressionEvaluationError)) throw error;
    throw new ExpressionEvaluationError(`error comparing e-mails '${a}' and '${b}': ${error.message}`);
  }
  return domainsEqual && left.local === right.local;
}

function parse(text: string): { local: string; domain: string } {
  const parsed = parseMailAddress(text);
  if (!parsed.ok) throw new ExpressionEvaluationError(parsed.error);
  return splitAddress(parsed.address);
}

/** Splits at the first `@`, as Istio does (so a quoted local part containing `@` splits early). */
function splitAddress(address: string): { local: string; domain: string } {
  const at = address.indexOf('@');
  return at < 0 ? { local: address, domain: '' } : { local: address.slice(0, at), domain: address.slice(at + 1) };
}
