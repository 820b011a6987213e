import { BIDI_RUNS, JOINING_RUNS, MAPPING_EXCEPTIONS, MARK_RUNS, STATUS_RUNS } from './idna-tables.js';

/**
 * Per-code-point Unicode properties that IDNA processing needs (UTS #46 status and mapping,
 * Bidi_Class, Joining_Type, combining marks), read from the run tables in idna-tables.ts. The
 * tables are decoded on first use, so ASCII-only names never pay for them.
 */

/** UTS #46 status under UseSTD3ASCIIRules and nontransitional processing. */
export enum IdnaStatus {
  Valid = 0,
  Mapped = 1,
  Disallowed = 2,
  Ignored = 3,
}

/** The Bidi_Class values the Bidi Rule (RFC 5893) distinguishes; the rest are `Other`. */
export enum BidiClass {
  L = 0,
  R = 1,
  AL = 2,
  EN = 3,
  ES = 4,
  ET = 5,
  AN = 6,
  CS = 7,
  ON = 8,
  BN = 9,
  NSM = 10,
  Other = 11,
}

/** Joining_Type as the CONTEXTJ rules use it; mapped code points have none. */
export enum JoiningType {
  None = 0,
  Left = 1,
  Dual = 2,
  Right = 3,
  Transparent = 4,
}

/** Whether an unmapped code point is a combining mark, and whether that mark is a virama. */
export enum MarkKind {
  None = 0,
  Mark = 1,
  Virama = 2,
}

interface RunTable {
  readonly starts: Int32Array;
  readonly values: Uint8Array;
}

function decodeRuns(encoded: string, valueOf: (letter: string) => number): RunTable {
  const starts: number[] = [];
  const values: number[] = [];
  let position = 0;
  let codePoint = 0;
  while (position < encoded.length) {
    let end = position;
    while (end < encoded.length && !isUpper(encoded.charCodeAt(end))) end++;
    codePoint += parseInt(encoded.slice(position, end), 36);
    starts.push(codePoint);
    values.push(valueOf(encoded[end]!));
    position = end + 1;
  }
  return { starts: Int32Array.from(starts), values: Uint8Array.from(values) };
}

function isUpper(code: number): boolean {
  return code >= 0x41 && code <= 0x5a;
}

function lookup(table: RunTable, codePoint: number): number {
  const { starts, values } = table;
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >>> 1;
    if (starts[middle]! <= codePoint) low = middle;
    else high = middle - 1;
  }
  return values[low]!;
}

function letterIndex(letters: string): (letter: string) => number {
  return (letter) => {
    const index = letters.indexOf(letter);
    if (index < 0) throw new Error(`corrupt IDNA table: unexpected value ${letter}`);
    return index;
  };
}

let statusTable: RunTable | undefined;
let bidiTable: RunTable | undefined;
let joiningTable: RunTable | undefined;
let markTable: RunTable | undefined;
let mappingExceptions: Map<number, string> | undefined;

export function idnaStatus(codePoint: number): IdnaStatus {
  if (codePoint < 0x80) return asciiStatus(codePoint);
  statusTable ??= decodeRuns(STATUS_RUNS, letterIndex('VMXI'));
  return lookup(statusTable, codePoint);
}

function asciiStatus(code: number): IdnaStatus {
  if ((code >= 0x61 && code <= 0x7a) || (code >= 0x30 && code <= 0x39) || code === 0x2d || code === 0x2e) {
    return IdnaStatus.Valid;
  }
  return code >= 0x41 && code <= 0x5a ? IdnaStatus.Mapped : IdnaStatus.Disallowed;
}

/** The UTS #46 mapping of a code point whose status is Mapped. */
export function idnaMapping(codePoint: number): string {
  if (codePoint < 0x80) return String.fromCharCode(codePoint | 0x20);
  mappingExceptions ??= decodeMappingExceptions();
  const exception = mappingExceptions.get(codePoint);
  if (exception !== undefined) return exception;
  // Every other mapping in Unicode 15.0 is this composition (checked for all 5,935 mapped code
  // points against Go's tables when idna-tables.ts was generated).
  return String.fromCodePoint(codePoint).normalize('NFKC').toLowerCase().normalize('NFKC');
}

function decodeMappingExceptions(): Map<number, string> {
  const map = new Map<number, string>();
  for (const entry of MAPPING_EXCEPTIONS.split(';')) {
    if (entry === '') continue;
    const colon = entry.indexOf(':');
    map.set(parseInt(entry.slice(0, colon), 36), entry.slice(colon + 1));
  }
  return map;
}

export function bidiClass(codePoint: number): BidiClass {
  bidiTable ??= decodeRuns(BIDI_RUNS, letterIndex('ABCDEFGHIJKL'));
  return lookup(bidiTable, codePoint);
}

export function joiningType(codePoint: number): JoiningType {
  joiningTable ??= decodeRuns(JOINING_RUNS, letterIndex('ULDRT'));
  return lookup(joiningTable, codePoint);
}

export function markKind(codePoint: number): MarkKind {
  if (codePoint < 0x300) return MarkKind.None;
  markTable ??= decodeRuns(MARK_RUNS, letterIndex('NMV'));
  return lookup(markTable, codePoint);
}
