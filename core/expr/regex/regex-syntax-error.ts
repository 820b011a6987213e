import { MixerError } from '../../errors/mixer-error.js';

/** Go's `regexp/syntax` error codes: the middle part of every syntax error message. */
export const RegexErrorCode = {
  invalidCharClass: 'invalid character class',
  invalidCharRange: 'invalid character class range',
  invalidEscape: 'invalid escape sequence',
  invalidNamedCapture: 'invalid named capture',
  invalidPerlOp: 'invalid or unsupported Perl syntax',
  invalidRepeatOp: 'invalid nested repetition operator',
  invalidRepeatSize: 'invalid repeat count',
  invalidUtf8: 'invalid UTF-8',
  missingBracket: 'missing closing ]',
  missingParen: 'missing closing )',
  missingRepeatArgument: 'missing argument to repetition operator',
  trailingBackslash: 'trailing backslash at end of expression',
  unexpectedParen: 'unexpected )',
  nestingDepth: 'expression nests too deeply',
  large: 'expression too large',
} as const;

export type RegexErrorCode = (typeof RegexErrorCode)[keyof typeof RegexErrorCode];

/**
 * A pattern that RE2 (Go's `regexp`) rejects. The message is Go's, byte for byte:
 * ``error parsing regexp: missing closing ): `(` `` — `errorCode` is the middle part and `expr` the
 * offending fragment between the backquotes.
 */
export class RegexSyntaxError extends MixerError {
  constructor(
    readonly errorCode: RegexErrorCode,
    readonly expr: string,
    readonly pattern: string,
  ) {
    super('MIXER_ERR_REGEX', `error parsing regexp: ${errorCode}: \`${expr}\``);
  }
}
