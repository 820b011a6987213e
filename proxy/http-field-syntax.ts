// What may go on the wire in an HTTP request line or header field. Every value the sidecar
// writes that it did not parse itself (route directive operations from a Check answer, above
// all) passes one of these first: strings are written as latin1, so a character above 0xFF
// would lose its high byte (U+010D becomes CR) and anything outside the grammar could split
// the message.

/** A token (RFC 9110 §5.6.2): a header name or a method. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** What a header value may not hold: controls other than HTAB, DEL, and anything above 0xFF (obs-text, 0x80–0xFF, is allowed). */
const INVALID_VALUE_CHAR = /[^\t\x20-\x7e\x80-\xff]/;
/** A request-target (RFC 9112 §3.2): visible ASCII, no space. */
const REQUEST_TARGET = /^[\x21-\x7e]+$/;
/** An authority as a Host header carries it (RFC 9110 §7.2): a bracketed IP literal or a reg-name, then an optional port. */
const AUTHORITY = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-._~!$&'()*+,;=%]+)(?::[0-9]{0,5})?$/;

/** Whether `name` can be a header name (RFC 9110 §5.1). */
export function isFieldName(name: string): boolean {
  return TOKEN.test(name);
}

/** Whether `method` can be a request method (RFC 9110 §9.1: a token). */
export function isMethod(method: string): boolean {
  return TOKEN.test(method);
}

/** Whether `value` holds a character no header value may carry (CR, LF, NUL, other controls, or above 0xFF). */
export function hasInvalidFieldValueChar(value: string): boolean {
  return INVALID_VALUE_CHAR.test(value);
}

/** Whether `path` can be a request-target (`:path`). */
export function isRequestTarget(path: string): boolean {
  return REQUEST_TARGET.test(path);
}

/** Whether `authority` can be an `:authority` / Host value. */
export function isAuthority(authority: string): boolean {
  return AUTHORITY.test(authority);
}
