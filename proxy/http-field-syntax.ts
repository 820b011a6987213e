/** A header name: an RFC 9110 token. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** What a header value may not hold: controls other than HTAB, and DEL (obs-text, 0x80–0xFF, is allowed). */
const INVALID_VALUE_CHAR = /[^\t\x20-\x7e\x80-\xff]/;

/** Whether `name` can be a header name (RFC 9110 §5.1). */
export function isFieldName(name: string): boolean {
  return TOKEN.test(name);
}

/** Whether `value` holds a character no header value may carry (CR, LF, NUL and other controls). */
export function hasInvalidFieldValueChar(value: string): boolean {
  return INVALID_VALUE_CHAR.test(value);
}
