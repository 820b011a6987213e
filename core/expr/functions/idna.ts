import { goQuote, goUnicodeNotation } from '../../attribute/go-quote.js';
import { hasRightToLeft, isRightToLeft, satisfiesBidiRule } from './bidi-rule.js';
import {
  IdnaStatus,
  JoiningType,
  MarkKind,
  idnaMapping,
  idnaStatus,
  joiningType,
  markKind,
} from './idna-properties.js';
import { decodePunycode } from './punycode.js';

/**
 * IDNA `ToUnicode` as golang.org/x/net/idna (Unicode 15 tables) runs it for the two profiles
 * Istio's expression functions use:
 *
 * - `validate`: `idna.New(StrictDomainName(true), ValidateLabels(true), VerifyDNSLength(true),
 *   BidiRule())`. The input is only NFC-normalised, so plain (non-`xn--`) labels are checked for
 *   hyphens, a leading combining mark and joiners, but not for disallowed characters; empty
 *   labels are errors.
 * - `lookup`: `idna.New(MapForLookup(), BidiRule())`. The input is mapped by UTS #46 (lower case,
 *   compatibility forms, ignored characters dropped) with STD3 rules, so disallowed characters
 *   are errors; empty labels are allowed.
 *
 * Error texts are Go's (`idna: invalid label "-foo"`, `idna: disallowed rune U+005F`). Quirks of
 * Go's label iteration are kept on purpose: a final empty label is skipped, and so is the empty
 * label of a name ending in `..` while no `xn--` label has been decoded yet.
 */
export type IdnaProfile = 'validate' | 'lookup';

export type IdnaResult = { readonly ok: true; readonly value: string } | { readonly ok: false; readonly error: string };

const ACE_PREFIX = 'xn--';
const ZWJ = '\u200d';
const ZWNJ = '\u200c';
/** A surrogate that is not part of a pair; Go sees U+FFFD in its place. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

export function idnaToUnicode(input: string, profile: IdnaProfile): IdnaResult {
  const verifyDnsLength = profile === 'validate';
  let text: string;
  let bidi: boolean;
  if (profile === 'validate') {
    text = isAscii(input) ? input : input.replace(LONE_SURROGATE, '\ufffd').normalize('NFC');
    bidi = hasRightToLeft(text);
  } else {
    const mapped = mapForLookup(input);
    if (!mapped.ok) return mapped;
    text = mapped.value;
    bidi = mapped.bidi;
  }
  if (verifyDnsLength && text === '') return invalidLabel('');

  const labels = new LabelIterator(text);
  for (; !labels.done(); labels.next()) {
    const label = labels.label();
    if (label === '') {
      if (verifyDnsLength) return invalidLabel(text);
      continue;
    }
    if (!label.startsWith(ACE_PREFIX)) {
      const error = validateLabel(label, verifyDnsLength);
      if (error !== undefined) return fail(error);
      continue;
    }
    const encoded = label.slice(ACE_PREFIX.length);
    const decoded = decodePunycode(encoded);
    if (decoded === undefined || (decoded !== '' && isAscii(decoded))) return invalidLabel(encoded);
    bidi ||= hasRightToLeft(decoded);
    labels.set(decoded);
    const error = validateDecodedLabel(decoded) ?? validateLabel(decoded, verifyDnsLength);
    if (error !== undefined) return fail(error);
  }
  if (bidi) {
    for (labels.reset(); !labels.done(); labels.next()) {
      if (!satisfiesBidiRule(labels.label())) return invalidLabel(text);
    }
  }
  return { ok: true, value: labels.result() };
}

function fail(error: string): IdnaResult {
  return { ok: false, error };
}

function invalidLabel(label: string): IdnaResult {
  return { ok: false, error: invalidLabelText(label) };
}

function invalidLabelText(label: string): string {
  return `idna: invalid label ${goQuote(label)}`;
}

function isAscii(text: string): boolean {
  for (let index = 0; index < text.length; index++) {
    if (text.charCodeAt(index) >= 0x80) return false;
  }
  return true;
}

type MapResult =
  | { readonly ok: true; readonly value: string; readonly bidi: boolean }
  | { readonly ok: false; readonly error: string };

/** UTS #46 mapping with STD3 rules (Go's validateAndMap); the first disallowed rune is an error. */
function mapForLookup(input: string): MapResult {
  let changed = false;
  let asciiOnly = true;
  for (let index = 0; index < input.length; index++) {
    const code = input.charCodeAt(index);
    if (code >= 0x80) {
      asciiOnly = false;
      break;
    }
    const status = idnaStatus(code);
    if (status === IdnaStatus.Disallowed) return { ok: false, error: disallowedRune(code) };
    if (status === IdnaStatus.Mapped) changed = true;
  }
  if (asciiOnly) return { ok: true, value: changed ? input.toLowerCase() : input, bidi: false };

  let output = '';
  let bidi = false;
  for (let index = 0; index < input.length; index++) {
    let codePoint = input.codePointAt(index)!;
    if (codePoint > 0xffff) index++;
    else if (codePoint >= 0xd800 && codePoint <= 0xdfff) codePoint = 0xfffd;
    bidi ||= isRightToLeft(codePoint);
    switch (idnaStatus(codePoint)) {
      case IdnaStatus.Valid:
        output += String.fromCodePoint(codePoint);
        break;
      case IdnaStatus.Mapped:
        output += idnaMapping(codePoint);
        break;
      case IdnaStatus.Ignored:
        break;
      case IdnaStatus.Disallowed:
        return { ok: false, error: disallowedRune(codePoint) };
    }
  }
  return { ok: true, value: output.normalize('NFC'), bidi };
}

function disallowedRune(codePoint: number): string {
  return `idna: disallowed rune ${goUnicodeNotation(codePoint)}`;
}

/** Checks an U-label decoded from Punycode: NFC, and every code point valid. */
function validateDecodedLabel(label: string): string | undefined {
  if (label.normalize('NFC') !== label) return invalidLabelText(label);
  for (const char of label) {
    if (idnaStatus(char.codePointAt(0)!) !== IdnaStatus.Valid) return invalidLabelText(label);
  }
  return undefined;
}

/** RFC 5891 §5.4 checks: hyphens, a leading combining mark, and the CONTEXTJ joiner rules. */
function validateLabel(label: string, verifyDnsLength: boolean): string | undefined {
  if (label === '') return verifyDnsLength ? invalidLabelText(label) : undefined;
  if (hasHyphensAtThirdAndFourthByte(label) || label.startsWith('-') || label.endsWith('-')) {
    return invalidLabelText(label);
  }
  if (markKind(label.codePointAt(0)!) !== MarkKind.None) return invalidLabelText(label);
  if (!label.includes(ZWJ) && !label.includes(ZWNJ)) return undefined;
  return satisfiesJoinerRules(label) ? undefined : invalidLabelText(label);
}

/** Go tests `len(s) > 4 && s[2] == '-' && s[3] == '-'` on the UTF-8 bytes. */
function hasHyphensAtThirdAndFourthByte(label: string): boolean {
  let offset = 0;
  let third = false;
  let fourth = false;
  for (let index = 0; index < label.length && offset < 4; index++) {
    const codePoint = label.codePointAt(index)!;
    if (codePoint > 0xffff) index++;
    if (offset === 2) third = codePoint === 0x2d;
    if (offset === 3) fourth = codePoint === 0x2d;
    offset += utf8Length(codePoint);
  }
  return third && fourth && utf8ByteLength(label) > 4;
}

function utf8Length(codePoint: number): number {
  return codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
}

function utf8ByteLength(text: string): number {
  let length = 0;
  for (let index = 0; index < text.length; index++) {
    const codePoint = text.codePointAt(index)!;
    if (codePoint > 0xffff) index++;
    length += utf8Length(codePoint);
  }
  return length;
}

enum JoinState {
  Start,
  Virama,
  Before,
  BeforeVirama,
  After,
  Fail,
}

/** Joiner input classes: a Joining_Type, or one of the three derived classes. */
enum JoinInput {
  None,
  Left,
  Dual,
  Transparent,
  Right,
  Zwj,
  Zwnj,
  Virama,
}

const S = JoinState;
/** Next state per state and JoinInput (None, L, D, T, R, ZWJ, ZWNJ, virama). */
const JOIN_TRANSITIONS: ReadonlyArray<readonly JoinState[]> = [
  [S.Start, S.Before, S.Before, S.Start, S.Start, S.Fail, S.Fail, S.Virama],
  [S.Start, S.Before, S.Before, S.Start, S.Start, S.Start, S.Start, S.Start],
  [S.Start, S.Before, S.Before, S.Before, S.Start, S.Fail, S.After, S.BeforeVirama],
  [S.Start, S.Before, S.Before, S.Before, S.Start, S.Start, S.Start, S.Start],
  [S.Start, S.Fail, S.Before, S.After, S.Start, S.Fail, S.Fail, S.After],
  [S.Fail, S.Fail, S.Fail, S.Fail, S.Fail, S.Fail, S.Fail, S.Fail],
];

function joinInput(type: JoiningType): JoinInput {
  switch (type) {
    case JoiningType.Left:
      return JoinInput.Left;
    case JoiningType.Dual:
      return JoinInput.Dual;
    case JoiningType.Transparent:
      return JoinInput.Transparent;
    case JoiningType.Right:
      return JoinInput.Right;
    default:
      return JoinInput.None;
  }
}

function satisfiesJoinerRules(label: string): boolean {
  let state = JoinState.Start;
  for (let index = 0; index < label.length; index++) {
    let codePoint = label.codePointAt(index)!;
    if (codePoint > 0xffff) index++;
    else if (codePoint >= 0xd800 && codePoint <= 0xdfff) codePoint = 0xfffd;
    const input =
      codePoint === 0x200d ? JoinInput.Zwj : codePoint === 0x200c ? JoinInput.Zwnj : joinInput(joiningType(codePoint));
    state = JOIN_TRANSITIONS[state]![input]!;
    if (markKind(codePoint) === MarkKind.Virama) state = JOIN_TRANSITIONS[state]![JoinInput.Virama]!;
  }
  return state !== JoinState.Fail && state !== JoinState.After;
}

/**
 * Go's label iterator: it walks the original text until a label is replaced (an A-label
 * decoded), then a split copy. Its two modes disagree about empty labels, which we keep.
 */
class LabelIterator {
  private slice: string[] | undefined;
  private start = 0;
  private end = 0;
  private index = 0;

  constructor(private readonly text: string) {}

  done(): boolean {
    return this.start >= this.text.length;
  }

  label(): string {
    if (this.slice !== undefined) return this.slice[this.index]!;
    const dot = this.text.indexOf('.', this.start);
    this.end = dot < 0 ? this.text.length : dot;
    return this.text.slice(this.start, this.end);
  }

  next(): void {
    this.index++;
    if (this.slice !== undefined) {
      const last = this.slice.length - 1;
      if (this.index > last || (this.index === last && this.slice[this.index] === '')) this.start = this.text.length;
      return;
    }
    this.start = this.end + 1;
    if (this.start === this.text.length - 1 && this.text[this.start] === '.') this.start = this.text.length;
  }

  set(label: string): void {
    this.slice ??= this.text.split('.');
    this.slice[this.index] = label;
  }

  reset(): void {
    this.start = 0;
    this.end = 0;
    this.index = 0;
  }

  result(): string {
    return this.slice === undefined ? this.text : this.slice.join('.');
  }
}
