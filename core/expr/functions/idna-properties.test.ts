import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  BidiClass,
  IdnaStatus,
  JoiningType,
  MarkKind,
  bidiClass,
  idnaMapping,
  idnaStatus,
  joiningType,
  markKind,
} from './idna-properties.js';

// Samples of the per-rune data golang.org/x/net/idna v0.62.0 (tables15.0.0.go, UseSTD3ASCIIRules,
// nontransitional) and golang.org/x/text/unicode/bidi hold, dumped from Go for these code points.
// The whole code space (1,112,064 code points) was compared when idna-tables.ts was generated.

/** [code point, status, mapping when mapped, Bidi_Class, Joining_Type, mark kind] */
const SAMPLES: ReadonlyArray<readonly [number, IdnaStatus, string | undefined, BidiClass, JoiningType, MarkKind]> = [
  [0x0, IdnaStatus.Disallowed, undefined, BidiClass.BN, JoiningType.None, MarkKind.None],
  [0x2d, IdnaStatus.Valid, undefined, BidiClass.ES, JoiningType.None, MarkKind.None],
  [0x41, IdnaStatus.Mapped, 'a', BidiClass.L, JoiningType.None, MarkKind.None],
  [0x5f, IdnaStatus.Disallowed, undefined, BidiClass.ON, JoiningType.None, MarkKind.None],
  [0x61, IdnaStatus.Valid, undefined, BidiClass.L, JoiningType.None, MarkKind.None],
  [0x7f, IdnaStatus.Disallowed, undefined, BidiClass.BN, JoiningType.None, MarkKind.None],
  [0xa0, IdnaStatus.Disallowed, undefined, BidiClass.CS, JoiningType.None, MarkKind.None],
  [0xad, IdnaStatus.Ignored, undefined, BidiClass.BN, JoiningType.Transparent, MarkKind.None],
  [0xc0, IdnaStatus.Mapped, '\u00e0', BidiClass.L, JoiningType.None, MarkKind.None],
  [0xdf, IdnaStatus.Valid, undefined, BidiClass.L, JoiningType.None, MarkKind.None],
  [0xe9, IdnaStatus.Valid, undefined, BidiClass.L, JoiningType.None, MarkKind.None],
  [0x130, IdnaStatus.Mapped, 'i\u0307', BidiClass.L, JoiningType.None, MarkKind.None],
  [0x17f, IdnaStatus.Mapped, 's', BidiClass.L, JoiningType.None, MarkKind.None],
  [0x300, IdnaStatus.Valid, undefined, BidiClass.NSM, JoiningType.Transparent, MarkKind.Mark],
  [0x345, IdnaStatus.Mapped, '\u03b9', BidiClass.NSM, JoiningType.None, MarkKind.None],
  [0x3c2, IdnaStatus.Valid, undefined, BidiClass.L, JoiningType.None, MarkKind.None],
  [0x5d0, IdnaStatus.Valid, undefined, BidiClass.R, JoiningType.None, MarkKind.None],
  [0x5ff, IdnaStatus.Disallowed, undefined, BidiClass.R, JoiningType.None, MarkKind.None],
  [0x627, IdnaStatus.Valid, undefined, BidiClass.AL, JoiningType.Right, MarkKind.None],
  [0x661, IdnaStatus.Valid, undefined, BidiClass.AN, JoiningType.None, MarkKind.None],
  [0x6f1, IdnaStatus.Valid, undefined, BidiClass.EN, JoiningType.None, MarkKind.None],
  [0x86b, IdnaStatus.Disallowed, undefined, BidiClass.R, JoiningType.None, MarkKind.None],
  [0x915, IdnaStatus.Valid, undefined, BidiClass.L, JoiningType.None, MarkKind.None],
  [0x94d, IdnaStatus.Valid, undefined, BidiClass.NSM, JoiningType.Transparent, MarkKind.Virama],
  [0x13f8, IdnaStatus.Mapped, '\u13f0', BidiClass.L, JoiningType.None, MarkKind.None],
  [0x1e9e, IdnaStatus.Mapped, 'ss', BidiClass.L, JoiningType.None, MarkKind.None],
  [0x200c, IdnaStatus.Valid, undefined, BidiClass.BN, JoiningType.None, MarkKind.None],
  [0x200d, IdnaStatus.Valid, undefined, BidiClass.BN, JoiningType.None, MarkKind.None],
  [0x2028, IdnaStatus.Disallowed, undefined, BidiClass.Other, JoiningType.None, MarkKind.None],
  [0x2066, IdnaStatus.Disallowed, undefined, BidiClass.Other, JoiningType.None, MarkKind.None],
  [0x20ac, IdnaStatus.Valid, undefined, BidiClass.ET, JoiningType.None, MarkKind.None],
  [0x2163, IdnaStatus.Mapped, 'iv', BidiClass.L, JoiningType.None, MarkKind.None],
  [0x2764, IdnaStatus.Valid, undefined, BidiClass.ON, JoiningType.None, MarkKind.None],
  [0x3002, IdnaStatus.Mapped, '.', BidiClass.ON, JoiningType.None, MarkKind.None],
  [0xfb1d, IdnaStatus.Mapped, '\u05d9\u05b4', BidiClass.R, JoiningType.None, MarkKind.None],
  [0xfdd0, IdnaStatus.Disallowed, undefined, BidiClass.BN, JoiningType.None, MarkKind.None],
  [0xfeff, IdnaStatus.Ignored, undefined, BidiClass.BN, JoiningType.Transparent, MarkKind.None],
  [0xff21, IdnaStatus.Mapped, 'a', BidiClass.L, JoiningType.None, MarkKind.None],
  [0xff3f, IdnaStatus.Disallowed, undefined, BidiClass.ON, JoiningType.None, MarkKind.None],
  [0xfffd, IdnaStatus.Disallowed, undefined, BidiClass.ON, JoiningType.None, MarkKind.None],
  [0xffff, IdnaStatus.Disallowed, undefined, BidiClass.BN, JoiningType.None, MarkKind.None],
  [0x10800, IdnaStatus.Valid, undefined, BidiClass.R, JoiningType.None, MarkKind.None],
  [0x10ec0, IdnaStatus.Disallowed, undefined, BidiClass.R, JoiningType.None, MarkKind.None],
  [0x1d7ce, IdnaStatus.Mapped, '0', BidiClass.EN, JoiningType.None, MarkKind.None],
  [0x1f4a9, IdnaStatus.Valid, undefined, BidiClass.ON, JoiningType.None, MarkKind.None],
  [0x1f600, IdnaStatus.Valid, undefined, BidiClass.ON, JoiningType.None, MarkKind.None],
  [0xe0001, IdnaStatus.Disallowed, undefined, BidiClass.BN, JoiningType.Transparent, MarkKind.None],
  [0xe0100, IdnaStatus.Ignored, undefined, BidiClass.NSM, JoiningType.Transparent, MarkKind.Mark],
  [0x10fffd, IdnaStatus.Disallowed, undefined, BidiClass.L, JoiningType.None, MarkKind.None],
];

describe('IDNA per-code-point properties', () => {
  for (const [codePoint, status, mapping, bidi, joining, mark] of SAMPLES) {
    it(`U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`, () => {
      assert.equal(idnaStatus(codePoint), status);
      if (mapping !== undefined) assert.equal(idnaMapping(codePoint), mapping);
      assert.equal(bidiClass(codePoint), bidi);
      assert.equal(joiningType(codePoint), joining);
      assert.equal(markKind(codePoint), mark);
    });
  }
});
