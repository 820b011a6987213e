import { goQuoteBytes } from '../../attribute/go-quote.js';
import { parseNetipAddr } from '../../attribute/ip-address.js';

/**
 * Go's net/url.Parse and URL.String() (Go 1.26 rules, including strict colons in http/https
 * hosts), for Istio's uri() and uri_equal. Go works on bytes, so every field here is a "byte
 * string": a JS string holding one UTF-8 byte per char code. Percent-decoding can produce any
 * byte, and String() re-escapes every byte >= 0x80, as Go does.
 *
 * Errors use the format of Go before 1.14, which Istio's messages were written against: the URL
 * is not quoted (`parse :/: missing protocol scheme`).
 */
export interface GoUrl {
  scheme: string;
  opaque: string;
  user: GoUserinfo | undefined;
  host: string;
  path: string;
  rawPath: string;
  rawQuery: string;
  fragment: string;
  rawFragment: string;
  forceQuery: boolean;
  omitHost: boolean;
}

export interface GoUserinfo {
  readonly username: string;
  readonly password: string;
  readonly passwordSet: boolean;
}

export type GoUrlResult = { readonly ok: true; readonly url: GoUrl } | { readonly ok: false; readonly error: string };

/** The encoding modes of net/url's escape and unescape. */
const enum Mode {
  Path,
  PathSegment,
  Host,
  Zone,
  UserPassword,
  QueryComponent,
  Fragment,
}

/** Parses `text` (a JS string) like url.Parse. */
export function parseGoUrl(text: string): GoUrlResult {
  const bytes = toByteString(text);
  const hash = bytes.indexOf('#');
  const beforeFragment = hash < 0 ? bytes : bytes.slice(0, hash);
  const parsed = parseReference(beforeFragment);
  if (typeof parsed === 'string') return urlError(beforeFragment, parsed);
  const fragment = hash < 0 ? '' : bytes.slice(hash + 1);
  if (fragment !== '') {
    const decoded = unescape(fragment, Mode.Fragment);
    if (!decoded.ok) return urlError(bytes, decoded.error);
    parsed.fragment = decoded.value;
    parsed.rawFragment = escape(decoded.value, Mode.Fragment) === fragment ? '' : fragment;
  }
  return { ok: true, url: parsed };
}

function urlError(url: string, message: string): GoUrlResult {
  return { ok: false, error: `parse ${fromByteString(url)}: ${message}` };
}

/** url.URL.String(). */
export function formatGoUrl(url: GoUrl): string {
  let out = '';
  if (url.scheme !== '') out += `${url.scheme}:`;
  if (url.opaque !== '') {
    out += url.opaque;
  } else {
    if (url.scheme !== '' || url.host !== '' || url.user !== undefined) {
      if (!(url.omitHost && url.host === '' && url.user === undefined)) {
        if (url.host !== '' || url.path !== '' || url.user !== undefined) out += '//';
        if (url.user !== undefined) out += `${formatUserinfo(url.user)}@`;
        if (url.host !== '') out += escape(url.host, Mode.Host);
      }
    }
    const path = escapedPath(url);
    if (path !== '' && path[0] !== '/' && url.host !== '') out += '/';
    if (out === '') {
      // A first segment with a colon would read as a scheme: Go writes "./" before it.
      const slash = path.indexOf('/');
      if ((slash < 0 ? path : path.slice(0, slash)).includes(':')) out += './';
    }
    out += path;
  }
  if (url.forceQuery || url.rawQuery !== '') out += `?${url.rawQuery}`;
  if (url.fragment !== '') out += `#${escapedFragment(url)}`;
  return out;
}

/** url.URL.Hostname(): the host without port and IPv6 brackets. */
export function urlHostname(url: GoUrl): string {
  return splitHostPort(url.host).host;
}

/** url.URL.Port(): the digits after the last colon, when they form a valid port. */
export function urlPort(url: GoUrl): string {
  return splitHostPort(url.host).port;
}

/** Converts a JS string to its UTF-8 byte string (ASCII text is returned as is). */
export function toByteString(text: string): string {
  for (let index = 0; index < text.length; index++) {
    if (text.charCodeAt(index) >= 0x80) return Buffer.from(text, 'utf8').toString('latin1');
  }
  return text;
}

/** Converts a byte string back to a JS string (invalid UTF-8 becomes U+FFFD). */
export function fromByteString(bytes: string): string {
  for (let index = 0; index < bytes.length; index++) {
    if (bytes.charCodeAt(index) >= 0x80) return Buffer.from(bytes, 'latin1').toString('utf8');
  }
  return bytes;
}

function newUrl(): GoUrl {
  return {
    scheme: '',
    opaque: '',
    user: undefined,
    host: '',
    path: '',
    rawPath: '',
    rawQuery: '',
    fragment: '',
    rawFragment: '',
    forceQuery: false,
    omitHost: false,
  };
}

/** Go's parse(rawURL, viaRequest=false); returns the URL or the bare error text. */
function parseReference(raw: string): GoUrl | string {
  for (let index = 0; index < raw.length; index++) {
    const code = raw.charCodeAt(index);
    if (code < 0x20 || code === 0x7f) return 'net/url: invalid control character in URL';
  }
  const url = newUrl();
  if (raw === '*') {
    url.path = '*';
    return url;
  }

  let rest = raw;
  const schemeEnd = schemeLength(raw);
  if (schemeEnd === 0) return 'missing protocol scheme';
  if (schemeEnd > 0) {
    url.scheme = raw.slice(0, schemeEnd).toLowerCase();
    rest = raw.slice(schemeEnd + 1);
  }

  const question = rest.indexOf('?');
  if (question >= 0 && question === rest.length - 1) {
    url.forceQuery = true;
    rest = rest.slice(0, -1);
  } else if (question >= 0) {
    url.rawQuery = rest.slice(question + 1);
    rest = rest.slice(0, question);
  }

  if (!rest.startsWith('/')) {
    if (url.scheme !== '') {
      // A rootless path after a scheme is opaque (RFC 3986 §3).
      url.opaque = rest;
      return url;
    }
    const slash = rest.indexOf('/');
    if ((slash < 0 ? rest : rest.slice(0, slash)).includes(':')) {
      return 'first path segment in URL cannot contain colon';
    }
  }

  if ((url.scheme !== '' || !rest.startsWith('///')) && rest.startsWith('//')) {
    let authority = rest.slice(2);
    rest = '';
    const slash = authority.indexOf('/');
    if (slash >= 0) {
      rest = authority.slice(slash);
      authority = authority.slice(0, slash);
    }
    const error = parseAuthority(url, authority);
    if (error !== undefined) return error;
  } else if (url.scheme !== '' && rest.startsWith('/')) {
    url.omitHost = true;
  }

  const path = unescape(rest, Mode.Path);
  if (!path.ok) return path.error;
  url.path = path.value;
  url.rawPath = escape(path.value, Mode.Path) === rest ? '' : rest;
  return url;
}

/**
 * The length of a leading `scheme:` (`[a-zA-Z][a-zA-Z0-9+.-]*`), -1 when there is none, 0 when
 * the text starts with a colon.
 */
function schemeLength(raw: string): number {
  for (let index = 0; index < raw.length; index++) {
    const code = raw.charCodeAt(index);
    if ((code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a)) continue;
    if ((code >= 0x30 && code <= 0x39) || code === 0x2b || code === 0x2d || code === 0x2e) {
      if (index === 0) return -1;
      continue;
    }
    if (code === 0x3a) return index;
    return -1;
  }
  return -1;
}

function parseAuthority(url: GoUrl, authority: string): string | undefined {
  const at = authority.lastIndexOf('@');
  const host = parseHost(url.scheme, at < 0 ? authority : authority.slice(at + 1));
  if (!host.ok) return host.error;
  url.host = host.value;
  if (at < 0) return undefined;
  const userinfo = authority.slice(0, at);
  if (!isValidUserinfo(userinfo)) return 'net/url: invalid userinfo';
  const colon = userinfo.indexOf(':');
  if (colon < 0) {
    const username = unescape(userinfo, Mode.UserPassword);
    if (!username.ok) return username.error;
    url.user = { username: username.value, password: '', passwordSet: false };
    return undefined;
  }
  const username = unescape(userinfo.slice(0, colon), Mode.UserPassword);
  if (!username.ok) return username.error;
  const password = unescape(userinfo.slice(colon + 1), Mode.UserPassword);
  if (!password.ok) return password.error;
  url.user = { username: username.value, password: password.value, passwordSet: true };
  return undefined;
}

type Unescaped = { readonly ok: true; readonly value: string } | { readonly ok: false; readonly error: string };

function parseHost(scheme: string, host: string): Unescaped {
  const openBracket = host.lastIndexOf('[');
  if (openBracket > 0) return { ok: false, error: 'invalid IP-literal' };
  if (openBracket === 0) return parseIpLiteral(host);
  const firstColon = host.indexOf(':');
  if (firstColon >= 0) {
    // Colons inside the host are only tolerated (as part of the port search) outside http(s).
    const strict = scheme === 'http' || scheme === 'https';
    const colon = strict ? firstColon : host.lastIndexOf(':');
    const colonPort = host.slice(colon);
    if (!isValidOptionalPort(colonPort)) return invalidPort(colonPort);
  }
  return unescape(host, Mode.Host);
}

/** `[IPv6]` or `[IPv6%25zone]`, optionally followed by `:port` (RFC 3986, RFC 6874). */
function parseIpLiteral(host: string): Unescaped {
  const closeBracket = host.lastIndexOf(']');
  if (closeBracket < 0) return { ok: false, error: "missing ']' in host" };
  const colonPort = host.slice(closeBracket + 1);
  if (!isValidOptionalPort(colonPort)) return invalidPort(colonPort);
  const port = unescape(colonPort, Mode.Host);
  if (!port.ok) return port;
  const hostname = host.slice(1, closeBracket);
  let unescaped: string;
  const zone = hostname.indexOf('%25');
  if (zone >= 0) {
    const address = unescape(hostname.slice(0, zone), Mode.Host);
    if (!address.ok) return address;
    const zoneText = unescape(hostname.slice(zone), Mode.Zone);
    if (!zoneText.ok) return zoneText;
    unescaped = address.value + zoneText.value;
  } else {
    const address = unescape(hostname, Mode.Host);
    if (!address.ok) return address;
    unescaped = address.value;
  }
  const parsed = parseNetipAddr(unescaped, goQuoteBytes);
  if (!parsed.ok) return { ok: false, error: `invalid host: ${parsed.error}` };
  if (parsed.bytes.length === 4) return { ok: false, error: 'invalid IP-literal' };
  return { ok: true, value: `[${unescaped}]${port.value}` };
}

function invalidPort(colonPort: string): Unescaped {
  return { ok: false, error: `invalid port ${goQuoteBytes(colonPort)} after host` };
}

/** Empty, or a colon followed by digits only. */
function isValidOptionalPort(port: string): boolean {
  if (port === '') return true;
  if (port[0] !== ':') return false;
  for (let index = 1; index < port.length; index++) {
    const code = port.charCodeAt(index);
    if (code < 0x30 || code > 0x39) return false;
  }
  return true;
}

function isValidUserinfo(userinfo: string): boolean {
  for (let index = 0; index < userinfo.length; index++) {
    const code = userinfo.charCodeAt(index);
    if ((code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a) || (code >= 0x30 && code <= 0x39)) continue;
    if ("-._:~!$&'()*+,;=%@".includes(userinfo[index]!)) continue;
    return false;
  }
  return true;
}

function splitHostPort(hostPort: string): { host: string; port: string } {
  let host = hostPort;
  let port = '';
  const colon = host.lastIndexOf(':');
  if (colon >= 0 && isValidOptionalPort(host.slice(colon))) {
    port = host.slice(colon + 1);
    host = host.slice(0, colon);
  }
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  return { host, port };
}

function isHex(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x61 && code <= 0x66) || (code >= 0x41 && code <= 0x46);
}

function hexValue(code: number): number {
  return code <= 0x39 ? code - 0x30 : (code | 0x20) - 0x61 + 10;
}

/** Go's unescape: validates %-escapes (and host characters), then decodes them. */
function unescape(text: string, mode: Mode): Unescaped {
  let escapes = 0;
  for (let index = 0; index < text.length; ) {
    const code = text.charCodeAt(index);
    if (code === 0x25) {
      escapes++;
      if (index + 2 >= text.length || !isHex(text.charCodeAt(index + 1)) || !isHex(text.charCodeAt(index + 2))) {
        return { ok: false, error: `invalid URL escape ${goQuoteBytes(text.slice(index, index + 3))}` };
      }
      const sequence = text.slice(index, index + 3);
      // In a host only non-ASCII bytes may be escaped, plus %25 (RFC 6874 zones).
      if (mode === Mode.Host && hexValue(text.charCodeAt(index + 1)) < 8 && sequence !== '%25') {
        return { ok: false, error: `invalid URL escape ${goQuoteBytes(sequence)}` };
      }
      if (mode === Mode.Zone) {
        const byte = hexValue(text.charCodeAt(index + 1)) * 16 + hexValue(text.charCodeAt(index + 2));
        if (sequence !== '%25' && byte !== 0x20 && shouldEscape(byte, Mode.Host)) {
          return { ok: false, error: `invalid URL escape ${goQuoteBytes(sequence)}` };
        }
      }
      index += 3;
      continue;
    }
    if ((mode === Mode.Host || mode === Mode.Zone) && code < 0x80 && shouldEscape(code, mode)) {
      return { ok: false, error: `invalid character ${goQuoteBytes(text[index]!)} in host name` };
    }
    index++;
  }
  if (escapes === 0) return { ok: true, value: text };
  let out = '';
  for (let index = 0; index < text.length; index++) {
    if (text.charCodeAt(index) === 0x25) {
      out += String.fromCharCode(hexValue(text.charCodeAt(index + 1)) * 16 + hexValue(text.charCodeAt(index + 2)));
      index += 2;
    } else {
      out += text[index];
    }
  }
  return { ok: true, value: out };
}

/** Go's escape for the modes String() uses (no query-component mode needed). */
function escape(text: string, mode: Mode): string {
  let needed = false;
  for (let index = 0; index < text.length; index++) {
    if (shouldEscape(text.charCodeAt(index), mode)) {
      needed = true;
      break;
    }
  }
  if (!needed) return text;
  let out = '';
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    out += shouldEscape(code, mode) ? `%${UPPER_HEX[code >> 4]}${UPPER_HEX[code & 0xf]}` : text[index];
  }
  return out;
}

const UPPER_HEX = '0123456789ABCDEF';

/** Whether byte `code` must be %-escaped in the given part of a URL (RFC 3986 with Go's choices). */
function shouldEscape(code: number, mode: Mode): boolean {
  if ((code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a) || (code >= 0x30 && code <= 0x39)) return false;
  if (mode === Mode.Host || mode === Mode.Zone) {
    // Sub-delims, ':' for the port, '[' ']' for IPv6, and '<' '>' '"' which Go lets through.
    switch (code) {
      case 0x21: case 0x24: case 0x26: case 0x27: case 0x28: case 0x29: case 0x2a: case 0x2b: case 0x2c:
      case 0x3b: case 0x3d: case 0x3a: case 0x5b: case 0x5d: case 0x3c: case 0x3e: case 0x22:
        return false;
    }
  }
  switch (code) {
    case 0x2d: case 0x5f: case 0x2e: case 0x7e: // - _ . ~
      return false;
    case 0x24: case 0x26: case 0x2b: case 0x2c: case 0x2f: case 0x3a: case 0x3b: case 0x3d: case 0x3f: case 0x40:
      // $ & + , / : ; = ? @ (reserved): each part allows a different subset unescaped.
      switch (mode) {
        case Mode.Path:
          return code === 0x3f;
        case Mode.PathSegment:
          return code === 0x2f || code === 0x3b || code === 0x2c || code === 0x3f;
        case Mode.UserPassword:
          return code === 0x40 || code === 0x2f || code === 0x3f || code === 0x3a;
        case Mode.QueryComponent:
          return true;
        case Mode.Fragment:
          return false;
      }
  }
  if (mode === Mode.Fragment) {
    switch (code) {
      case 0x21: case 0x28: case 0x29: case 0x2a: // ! ( ) *
        return false;
    }
  }
  return true;
}

function validEncoded(text: string, mode: Mode): boolean {
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if ("!$&'()*+,;=:@[]%".includes(text[index]!)) continue;
    if (shouldEscape(code, mode)) return false;
  }
  return true;
}

function escapedPath(url: GoUrl): string {
  if (url.rawPath !== '' && validEncoded(url.rawPath, Mode.Path)) {
    const decoded = unescape(url.rawPath, Mode.Path);
    if (decoded.ok && decoded.value === url.path) return url.rawPath;
  }
  if (url.path === '*') return '*';
  return escape(url.path, Mode.Path);
}

function escapedFragment(url: GoUrl): string {
  if (url.rawFragment !== '' && validEncoded(url.rawFragment, Mode.Fragment)) {
    const decoded = unescape(url.rawFragment, Mode.Fragment);
    if (decoded.ok && decoded.value === url.fragment) return url.rawFragment;
  }
  return escape(url.fragment, Mode.Fragment);
}

function formatUserinfo(user: GoUserinfo): string {
  const name = escape(user.username, Mode.UserPassword);
  return user.passwordSet ? `${name}:${escape(user.password, Mode.UserPassword)}` : name;
}
