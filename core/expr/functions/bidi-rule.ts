import { BidiClass, bidiClass } from './idna-properties.js';

/**
 * The Bidi Rule of RFC 5893 as golang.org/x/text/secure/bidirule applies it to one label, and
 * the direction test IDNA uses to decide whether the rule applies at all.
 */

const enum State {
  Initial,
  Ltr,
  LtrFinal,
  Rtl,
  RtlFinal,
  Invalid,
}

const bit = (bidi: BidiClass): number => 1 << bidi;
const RTL_CLASSES = bit(BidiClass.R) | bit(BidiClass.AL) | bit(BidiClass.AN);
const EXCLUSIVE_RTL = bit(BidiClass.EN) | bit(BidiClass.AN);
const NEUTRALS = bit(BidiClass.ES) | bit(BidiClass.CS) | bit(BidiClass.ET) | bit(BidiClass.ON) | bit(BidiClass.BN);

/** [first transition, second transition] per state: a mask of classes and the next state. */
const TRANSITIONS: ReadonlyArray<readonly [number, State, number, State]> = [
  // Initial: the first character must be L (LTR label) or R/AL (RTL label).
  [bit(BidiClass.L), State.LtrFinal, bit(BidiClass.R) | bit(BidiClass.AL), State.RtlFinal],
  // Ltr: only L, EN, ES, CS, ET, ON, BN, NSM; it must end with L or EN followed by NSMs.
  [bit(BidiClass.L) | bit(BidiClass.EN), State.LtrFinal, NEUTRALS | bit(BidiClass.NSM), State.Ltr],
  [bit(BidiClass.L) | bit(BidiClass.EN) | bit(BidiClass.NSM), State.LtrFinal, NEUTRALS, State.Ltr],
  // Rtl: only R, AL, AN, EN, ES, CS, ET, ON, BN, NSM; it must end with R, AL, EN or AN then NSMs.
  [RTL_CLASSES | bit(BidiClass.EN), State.RtlFinal, NEUTRALS | bit(BidiClass.NSM), State.Rtl],
  [RTL_CLASSES | bit(BidiClass.EN) | bit(BidiClass.NSM), State.RtlFinal, NEUTRALS, State.Rtl],
  [0, State.Invalid, 0, State.Invalid],
];

function classOf(code: number): BidiClass {
  if (code < 0x80) return asciiBidiClass(code);
  return bidiClass(code);
}

function asciiBidiClass(code: number): BidiClass {
  if ((code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a)) return BidiClass.L;
  if (code >= 0x30 && code <= 0x39) return BidiClass.EN;
  return bidiClass(code);
}

/** Whether `label` satisfies the Bidi Rule (bidirule.ValidString). */
export function satisfiesBidiRule(label: string): boolean {
  let state = State.Initial;
  let seen = 0;
  for (let index = 0; index < label.length; index++) {
    let code = label.codePointAt(index)!;
    if (code > 0xffff) index++;
    else if (code >= 0xd800 && code <= 0xdfff) code = 0xfffd;
    const classBit = bit(classOf(code));
    seen |= classBit;
    if ((seen & EXCLUSIVE_RTL) === EXCLUSIVE_RTL) return false;
    const transition: readonly [number, State, number, State] = TRANSITIONS[state]!;
    if ((transition[0] & classBit) !== 0) state = transition[1];
    else if ((transition[2] & classBit) !== 0) state = transition[3];
    else {
      state = State.Invalid;
      if ((seen & RTL_CLASSES) !== 0) return false;
    }
  }
  return state === State.LtrFinal || state === State.RtlFinal || state === State.Initial;
}

/** Whether `text` contains a right-to-left character (class R, AL or AN). */
export function hasRightToLeft(text: string): boolean {
  for (let index = 0; index < text.length; index++) {
    if (text.charCodeAt(index) < 0x590) continue;
    const codePoint = text.codePointAt(index)!;
    if (codePoint > 0xffff) index++;
    if (isRightToLeft(codePoint)) return true;
  }
  return false;
}

/** Whether a code point has Bidi_Class R, AL or AN (nothing below U+0590 has). */
export function isRightToLeft(codePoint: number): boolean {
  if (codePoint < 0x590) return false;
  const bidi = bidiClass(codePoint >= 0xd800 && codePoint <= 0xdfff ? 0xfffd : codePoint);
  return bidi === BidiClass.R || bidi === BidiClass.AL || bidi === BidiClass.AN;
}
