import type { IncomingHttpHeaders } from 'node:http';
import { hasInvalidFieldValueChar, isFieldName } from './http-field-syntax.js';

/** How the body of an upstream response is delimited (RFC 9112 §6.3). */
export enum BodyFraming {
  /** No body at all (HEAD, 1xx, 204, 304). */
  NONE,
  /** Exactly `contentLength` bytes. */
  LENGTH,
  /** Transfer-Encoding: chunked. */
  CHUNKED,
  /** Everything until the upstream closes the connection. */
  UNTIL_CLOSE,
}

/** An upstream response head, parsed. */
export interface ResponseHead {
  readonly statusCode: number;
  readonly statusMessage: string;
  /** Lower-cased names; repeated headers comma-joined, set-cookie kept as a list (as node:http gives them). */
  readonly headers: IncomingHttpHeaders;
  readonly framing: BodyFraming;
  readonly contentLength: number;
  /** Whether the connection may carry another request once this response is complete. */
  readonly reusable: boolean;
}

/** The upstream sent something that is not an HTTP/1.x response head. */
export class ResponseHeadError extends Error {
  override readonly name = 'ResponseHeadError';
}

const STATUS_LINE = /^HTTP\/1\.([01]) (\d{3})(?: (.*))?$/;

/**
 * Parses a response head: `text` is everything before the blank line, in latin1 (bytes as
 * chars, as node:http keeps header values). `method` is the request's, since a response to
 * HEAD has no body whatever its headers say.
 */
export function parseResponseHead(text: string, method: string): ResponseHead {
  const firstLineEnd = text.indexOf('\r\n');
  const statusLine = firstLineEnd < 0 ? text : text.slice(0, firstLineEnd);
  const status = STATUS_LINE.exec(statusLine);
  if (status === null) throw new ResponseHeadError(`not an HTTP/1.x status line: ${JSON.stringify(statusLine.slice(0, 80))}`);
  const statusCode = Number(status[2]);
  const headers: IncomingHttpHeaders = {};
  let contentLength = -1;
  let chunked = false;
  let transferEncoded = false;
  let connectionClose = false;
  let connectionKeepAlive = false;
  let position = firstLineEnd < 0 ? text.length : firstLineEnd + 2;
  while (position < text.length) {
    let lineEnd = text.indexOf('\r\n', position);
    if (lineEnd < 0) lineEnd = text.length;
    const colon = text.indexOf(':', position);
    if (colon < 0 || colon > lineEnd) throw new ResponseHeadError(`header line without a colon: ${JSON.stringify(text.slice(position, Math.min(lineEnd, position + 80)))}`);
    const rawName = text.slice(position, colon);
    if (!isFieldName(rawName)) throw new ResponseHeadError(`invalid header name ${JSON.stringify(rawName.slice(0, 80))}`);
    const name = rawName.toLowerCase();
    // Only SP and HTAB are whitespace around a value (RFC 9110 §5.5): String.trim() would also take
    // 0xA0 (the last byte of UTF-8 "à") and let VT, FF or CR at the edges escape the check below.
    let valueStart = colon + 1;
    let valueEnd = lineEnd;
    while (valueStart < valueEnd && isSpaceOrTab(text.charCodeAt(valueStart))) valueStart++;
    while (valueEnd > valueStart && isSpaceOrTab(text.charCodeAt(valueEnd - 1))) valueEnd--;
    const value = text.slice(valueStart, valueEnd);
    if (hasInvalidFieldValueChar(value)) throw new ResponseHeadError(`invalid character in the value of header ${name}`);
    position = lineEnd + 2;
    switch (name) {
      case 'content-length': {
        if (!/^\d{1,15}$/.test(value)) throw new ResponseHeadError(`invalid content-length ${JSON.stringify(value)}`);
        const length = Number(value);
        if (contentLength >= 0 && contentLength !== length) throw new ResponseHeadError('conflicting content-length headers');
        contentLength = length;
        break;
      }
      case 'transfer-encoding':
        transferEncoded = true;
        chunked = value.toLowerCase().endsWith('chunked');
        break;
      case 'connection': {
        const options = value.toLowerCase();
        if (options.includes('close')) connectionClose = true;
        if (options.includes('keep-alive')) connectionKeepAlive = true;
        break;
      }
    }
    const previous = headers[name];
    if (previous === undefined) headers[name] = name === 'set-cookie' ? [value] : value;
    else if (Array.isArray(previous)) previous.push(value);
    else headers[name] = `${previous}, ${value}`;
  }
  // A sender must drop Content-Length when Transfer-Encoding is present (RFC 9112 §6.3).
  if (transferEncoded && contentLength >= 0) delete headers['content-length'];
  const http10 = status[1] === '0';
  let framing: BodyFraming;
  if (method === 'HEAD' || statusCode < 200 || statusCode === 204 || statusCode === 304) framing = BodyFraming.NONE;
  else if (transferEncoded) framing = chunked ? BodyFraming.CHUNKED : BodyFraming.UNTIL_CLOSE;
  else if (contentLength >= 0) framing = BodyFraming.LENGTH;
  else framing = BodyFraming.UNTIL_CLOSE;
  const reusable = framing !== BodyFraming.UNTIL_CLOSE && !connectionClose && (!http10 || connectionKeepAlive);
  return { statusCode, statusMessage: status[3] ?? '', headers, framing, contentLength: Math.max(0, contentLength), reusable };
}

function isSpaceOrTab(code: number): boolean {
  return code === 32 || code === 9;
}
