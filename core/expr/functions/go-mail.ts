import { goQuote, goQuoteRune } from '../../attribute/go-quote.js';
import { IpAddress } from '../../attribute/ip-address.js';

/**
 * Go's net/mail.ParseAddress: one RFC 5322 address (an addr-spec, or a display name with an
 * angle-addr, or a group of exactly one), with comments, quoted strings, domain literals and
 * RFC 2047 encoded words in display names. Error texts are Go's (`mail: no address`, `mail:
 * missing @ in addr-spec`, `mail: expected single address, got "..."`).
 *
 * `address` is `local@domain` with a quoted local part unquoted (`"istio"@istio.io` gives
 * `istio@istio.io`).
 */
export type MailParseResult =
  | { readonly ok: true; readonly name: string; readonly address: string }
  | { readonly ok: false; readonly error: string };

interface Mailbox {
  readonly name: string;
  readonly address: string;
}

/** Thrown inside the parser only; parseMailAddress turns it into a result. */
class MailSyntaxError extends Error {}

export function parseMailAddress(text: string): MailParseResult {
  try {
    const parser = new AddressParser(text);
    const mailbox = parser.parseSingleAddress();
    return { ok: true, name: mailbox.name, address: mailbox.address };
  } catch (error) {
    if (error instanceof MailSyntaxError) return { ok: false, error: error.message };
    throw error;
  }
}

function fail(message: string): never {
  throw new MailSyntaxError(message);
}

class AddressParser {
  /** The unparsed rest of the input. */
  private s: string;

  constructor(text: string) {
    this.s = text;
  }

  parseSingleAddress(): Mailbox {
    const addresses = this.parseAddress(true);
    if (!this.skipCfws()) fail('mail: misformatted parenthetical comment');
    if (this.s !== '') fail(`mail: expected single address, got ${goQuote(this.s)}`);
    if (addresses.length === 0) fail('mail: empty group');
    if (addresses.length > 1) fail('mail: group with multiple addresses');
    return addresses[0]!;
  }

  private parseAddress(handleGroup: boolean): Mailbox[] {
    this.skipSpace();
    if (this.s === '') fail('mail: no address');

    // addr-spec is the more restricted grammar, so it is tried first.
    const spec = this.tryAddrSpec();
    if (spec !== undefined) {
      let name = '';
      this.skipSpace();
      if (this.s.startsWith('(')) name = this.consumeDisplayNameComment();
      return [{ name, address: spec }];
    }

    let name = '';
    if (!this.s.startsWith('<')) name = this.consumePhrase();
    this.skipSpace();
    if (handleGroup && this.consume(':')) return this.consumeGroupList();
    if (!this.consume('<')) {
      for (const char of name) {
        if (!isAtext(char.codePointAt(0)!, true)) fail('mail: no angle-addr');
      }
      fail("mail: missing '@' or angle-addr");
    }
    const address = this.consumeAddrSpec();
    if (!this.consume('>')) fail('mail: unclosed angle-addr');
    return [{ name, address }];
  }

  private consumeGroupList(): Mailbox[] {
    const group: Mailbox[] = [];
    this.skipSpace();
    if (this.consume(';')) {
      if (!this.skipCfws()) fail('mail: misformatted parenthetical comment');
      return group;
    }
    for (;;) {
      this.skipSpace();
      group.push(...this.parseAddress(false));
      if (!this.skipCfws()) fail('mail: misformatted parenthetical comment');
      if (this.consume(';')) {
        if (!this.skipCfws()) fail('mail: misformatted parenthetical comment');
        return group;
      }
      if (!this.consume(',')) fail('mail: expected comma');
    }
  }

  /** consumeAddrSpec, restoring the position and returning undefined when it fails. */
  private tryAddrSpec(): string | undefined {
    const saved = this.s;
    try {
      return this.consumeAddrSpec();
    } catch (error) {
      if (!(error instanceof MailSyntaxError)) throw error;
      this.s = saved;
      return undefined;
    }
  }

  private consumeAddrSpec(): string {
    const saved = this.s;
    try {
      this.skipSpace();
      if (this.s === '') fail('mail: no addr-spec');
      let localPart: string;
      if (this.s.startsWith('"')) {
        // Any quoted-string failure is reported as an empty one, as Go does.
        localPart = this.tryQuotedString() ?? '';
        if (localPart === '') fail('mail: empty quoted string in addr-spec');
      } else {
        localPart = this.consumeAtom(true, false);
      }
      if (!this.consume('@')) fail('mail: missing @ in addr-spec');
      this.skipSpace();
      if (this.s === '') fail('mail: no domain in addr-spec');
      const domain = this.s.startsWith('[') ? this.consumeDomainLiteral() : this.consumeAtom(true, false);
      return `${localPart}@${domain}`;
    } catch (error) {
      this.s = saved;
      throw error;
    }
  }

  private consumePhrase(): string {
    const words: string[] = [];
    let encoded = '';
    let error: string | undefined;
    for (;;) {
      // obs-phrase allows CFWS after one word.
      if (words.length > 0 && !this.skipCfws()) fail('mail: misformatted parenthetical comment');
      this.skipSpace();
      if (this.s === '') break;
      let word: string;
      let isEncoded = false;
      try {
        if (this.s.startsWith('"')) {
          word = this.consumeQuotedString();
        } else {
          // A dot-atom, to be more permissive than RFC 5322.
          word = this.consumeAtom(true, true);
          const decoded = decodeEncodedWord(word);
          if (decoded.kind === 'charset-error') fail(decoded.message);
          if (decoded.kind === 'decoded') {
            word = decoded.text;
            isEncoded = true;
          }
        }
      } catch (caught) {
        if (!(caught instanceof MailSyntaxError)) throw caught;
        error = caught.message;
        break;
      }
      if (isEncoded) {
        encoded += word;
      } else {
        if (encoded !== '') {
          words.push(encoded);
          encoded = '';
        }
        words.push(word);
      }
    }
    if (encoded !== '') words.push(encoded);
    // Any error is ignored once there is at least one word.
    if (error !== undefined && words.length === 0) fail(`mail: missing word in phrase: ${error}`);
    return words.join(' ');
  }

  private tryQuotedString(): string | undefined {
    try {
      return this.consumeQuotedString();
    } catch (error) {
      if (!(error instanceof MailSyntaxError)) throw error;
      return undefined;
    }
  }

  /** A quoted-string starting at the current `"`; returns its content with quoted-pairs resolved. */
  private consumeQuotedString(): string {
    const s = this.s;
    let content = '';
    let escaped = false;
    let index = 1;
    for (;;) {
      if (index >= s.length) fail('mail: unclosed quoted-string');
      const codePoint = codePointAt(s, index);
      if (escaped) {
        // quoted-pair = "\" (VCHAR / WSP)
        if (!isVchar(codePoint) && !isWsp(codePoint)) {
          fail(`mail: bad character in quoted-string: ${goQuoteRune(codePoint)}`);
        }
        content += String.fromCodePoint(codePoint);
        escaped = false;
      } else if (isQtext(codePoint) || isWsp(codePoint)) {
        content += String.fromCodePoint(codePoint);
      } else if (codePoint === 0x22) {
        break;
      } else if (codePoint === 0x5c) {
        escaped = true;
      } else {
        fail(`mail: bad character in quoted-string: ${goQuoteRune(codePoint)}`);
      }
      index += codePoint > 0xffff ? 2 : 1;
    }
    this.s = s.slice(index + 1);
    return content;
  }

  /** An atom (a dot-atom when `dot`); unless `permissive`, dots may not lead, trail or double. */
  private consumeAtom(dot: boolean, permissive: boolean): string {
    const s = this.s;
    let index = 0;
    while (index < s.length) {
      const codePoint = codePointAt(s, index);
      if (!isAtext(codePoint, dot)) break;
      index += codePoint > 0xffff ? 2 : 1;
    }
    if (index === 0) fail('mail: invalid string');
    const atom = s.slice(0, index);
    this.s = s.slice(index);
    if (!permissive) {
      if (atom.startsWith('.')) fail('mail: leading dot in atom');
      if (atom.includes('..')) fail('mail: double dot in atom');
      if (atom.endsWith('.')) fail('mail: trailing dot in atom');
    }
    return atom;
  }

  /** `[` dtext `]`, where the dtext must be an IP address net.ParseIP accepts. */
  private consumeDomainLiteral(): string {
    if (!this.consume('[')) fail('mail: missing "[" in domain-literal');
    let index = 0;
    const s = this.s;
    for (;;) {
      if (index >= s.length) fail('mail: unclosed domain-literal');
      if (s.charCodeAt(index) === 0x5d) break;
      const codePoint = codePointAt(s, index);
      if (!isDtext(codePoint)) fail(`mail: bad character in domain-literal: ${goQuoteRune(codePoint)}`);
      index += codePoint > 0xffff ? 2 : 1;
    }
    const dtext = s.slice(0, index);
    this.s = s.slice(index + 1);
    if (IpAddress.tryParse(dtext) === undefined) fail(`mail: invalid IP address in domain-literal: ${goQuote(dtext)}`);
    return `[${dtext}]`;
  }

  /** A comment after an addr-spec, taken as the display name (encoded words decoded). */
  private consumeDisplayNameComment(): string {
    if (!this.consume('(')) fail('mail: comment does not start with (');
    const comment = this.consumeComment();
    if (comment === undefined) fail('mail: misformatted parenthetical comment');
    const words = comment.split(/[ \t]+/).filter((word) => word !== '');
    for (let index = 0; index < words.length; index++) {
      const decoded = decodeEncodedWord(words[index]!);
      if (decoded.kind === 'charset-error') fail(decoded.message);
      if (decoded.kind === 'decoded') words[index] = decoded.text;
    }
    return words.join(' ');
  }

  /** The rest of a comment whose `(` is consumed; undefined when the parentheses do not balance. */
  private consumeComment(): string | undefined {
    let depth = 1;
    let comment = '';
    const s = this.s;
    let index = 0;
    while (index < s.length && depth !== 0) {
      const code = s.charCodeAt(index);
      if (code === 0x5c && s.length - index > 1) index++;
      else if (code === 0x28) depth++;
      else if (code === 0x29) depth--;
      if (depth > 0) comment += s[index];
      index++;
    }
    this.s = s.slice(index);
    return depth === 0 ? comment : undefined;
  }

  private consume(char: string): boolean {
    if (!this.s.startsWith(char)) return false;
    this.s = this.s.slice(1);
    return true;
  }

  private skipSpace(): void {
    let index = 0;
    while (index < this.s.length && (this.s.charCodeAt(index) === 0x20 || this.s.charCodeAt(index) === 0x09)) index++;
    if (index > 0) this.s = this.s.slice(index);
  }

  /** Skips spaces and comments; false when a comment is not closed. */
  private skipCfws(): boolean {
    this.skipSpace();
    while (this.consume('(')) {
      if (this.consumeComment() === undefined) return false;
      this.skipSpace();
    }
    return true;
  }
}

/** The code point at `index`; a lone surrogate reads as U+FFFD, as it arrives from the wire. */
function codePointAt(text: string, index: number): number {
  const codePoint = text.codePointAt(index)!;
  return codePoint >= 0xd800 && codePoint <= 0xdfff ? 0xfffd : codePoint;
}

/** The RFC 5322 specials other than `.`: ( ) < > [ ] : ; @ \ , " */
const SPECIALS = new Uint8Array(0x80);
for (const char of '()<>[]:;@\\,"') SPECIALS[char.charCodeAt(0)] = 1;

/** RFC 5322 atext (plus `.` when `dot`); any non-ASCII character counts (RFC 6532). */
function isAtext(codePoint: number, dot: boolean): boolean {
  if (codePoint === 0x2e) return dot;
  if (codePoint < 0x80 && SPECIALS[codePoint] === 1) return false;
  return isVchar(codePoint);
}

function isQtext(codePoint: number): boolean {
  return codePoint !== 0x5c && codePoint !== 0x22 && isVchar(codePoint);
}

function isVchar(codePoint: number): boolean {
  return (codePoint >= 0x21 && codePoint <= 0x7e) || codePoint >= 0x80;
}

function isWsp(codePoint: number): boolean {
  return codePoint === 0x20 || codePoint === 0x09;
}

function isDtext(codePoint: number): boolean {
  return codePoint !== 0x5b && codePoint !== 0x5d && codePoint !== 0x5c && isVchar(codePoint);
}

type EncodedWord =
  | { readonly kind: 'plain' }
  | { readonly kind: 'decoded'; readonly text: string }
  | { readonly kind: 'charset-error'; readonly message: string };

/**
 * An RFC 2047 encoded word (`=?charset?B|Q?text?=`) as mime.WordDecoder decodes it for
 * net/mail: UTF-8, ISO-8859-1 and US-ASCII are decoded, any other charset is an error
 * (`charset not supported: "koi8-r"`), and malformed words are plain text.
 */
function decodeEncodedWord(word: string): EncodedWord {
  if (word.length < 8 || !word.startsWith('=?') || !word.endsWith('?=') || countQuestionMarks(word) !== 4) {
    return { kind: 'plain' };
  }
  const inner = word.slice(2, -2);
  const firstMark = inner.indexOf('?');
  const charset = inner.slice(0, firstMark);
  if (charset === '') return { kind: 'plain' };
  const secondMark = inner.indexOf('?', firstMark + 1);
  const encoding = inner.slice(firstMark + 1, secondMark);
  const text = inner.slice(secondMark + 1);
  if (encoding.length !== 1) return { kind: 'plain' };
  let content: Uint8Array | undefined;
  if (encoding === 'B' || encoding === 'b') content = decodeBase64(text);
  else if (encoding === 'Q' || encoding === 'q') content = decodeQ(text);
  if (content === undefined) return { kind: 'plain' };
  const folded = foldCharset(charset);
  if (folded === 'utf-8') return { kind: 'decoded', text: Buffer.from(content).toString('utf8') };
  if (folded === 'iso-8859-1') return { kind: 'decoded', text: Buffer.from(content).toString('latin1') };
  if (folded === 'us-ascii') {
    let text = '';
    for (const byte of content) text += byte >= 0x80 ? '\ufffd' : String.fromCharCode(byte);
    return { kind: 'decoded', text };
  }
  return { kind: 'charset-error', message: `charset not supported: ${goQuote(goLower(charset))}` };
}

function countQuestionMarks(word: string): number {
  let count = 0;
  for (let index = 0; index < word.length; index++) if (word.charCodeAt(index) === 0x3f) count++;
  return count;
}

/** Case folding for the charset comparison (strings.EqualFold on these ASCII names). */
function foldCharset(charset: string): string {
  return charset.replace(/\u017f/g, 's').replace(/\u212a/g, 'k').toLowerCase();
}

/** strings.ToLower, rune by rune (simple lower-case mappings). */
function goLower(text: string): string {
  let out = '';
  for (const char of text) {
    const lower = char.toLowerCase();
    out += char === '\u0130' ? 'i' : [...lower].length === 1 ? lower : char;
  }
  return out;
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Strict standard base64 with padding (encoding/base64.StdEncoding); undefined if malformed. */
function decodeBase64(text: string): Uint8Array | undefined {
  if (text.length % 4 !== 0) return undefined;
  const out: number[] = [];
  for (let index = 0; index < text.length; index += 4) {
    const last = index + 4 === text.length;
    const a = BASE64.indexOf(text[index]!);
    const b = BASE64.indexOf(text[index + 1]!);
    if (a < 0 || b < 0) return undefined;
    out.push(((a << 2) | (b >> 4)) & 0xff);
    const third = text[index + 2]!;
    const fourth = text[index + 3]!;
    if (third === '=') {
      if (fourth !== '=' || !last) return undefined;
      break;
    }
    const c = BASE64.indexOf(third);
    if (c < 0) return undefined;
    out.push(((b << 4) | (c >> 2)) & 0xff);
    if (fourth === '=') {
      if (!last) return undefined;
      break;
    }
    const d = BASE64.indexOf(fourth);
    if (d < 0) return undefined;
    out.push(((c << 6) | d) & 0xff);
  }
  return Uint8Array.from(out);
}

/** RFC 2047 "Q" decoding; undefined if malformed. */
function decodeQ(text: string): Uint8Array | undefined {
  const out: number[] = [];
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code === 0x5f) {
      out.push(0x20);
    } else if (code === 0x3d) {
      if (index + 2 >= text.length) return undefined;
      const high = hexDigit(text.charCodeAt(index + 1));
      const low = hexDigit(text.charCodeAt(index + 2));
      if (high < 0 || low < 0) return undefined;
      out.push(high * 16 + low);
      index += 2;
    } else if ((code >= 0x20 && code <= 0x7e) || code === 0x0a || code === 0x0d || code === 0x09) {
      out.push(code);
    } else {
      return undefined;
    }
  }
  return Uint8Array.from(out);
}

function hexDigit(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x41 && code <= 0x46) return code - 0x41 + 10;
  if (code >= 0x61 && code <= 0x66) return code - 0x61 + 10;
  return -1;
}
