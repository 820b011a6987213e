import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { DictBag } from '../../core/attribute/dict-bag.js';
import { Duration } from '../../core/attribute/duration.js';
import { IpAddress } from '../../core/attribute/ip-address.js';
import { AttributeManifest } from '../../core/attribute/manifest.js';
import { StringMap } from '../../core/attribute/string-map.js';
import { Timestamp } from '../../core/attribute/timestamp.js';
import { TrackingBag } from '../../core/attribute/tracking-bag.js';
import type { AttributeValue } from '../../core/attribute/value.js';
import { ExpressionCompileError, ExpressionEvaluationError } from '../../core/expr/errors.js';
import { ExpressionLanguage, type CompiledExpression } from '../../core/expr/expression.js';
import { ExpressionCompilers } from '../../core/expr/expression-compilers.js';

// A small manifest with one attribute of every type, so random expressions often type-check.
const MANIFEST = AttributeManifest.of({
  as: 'STRING', bs: 'STRING', ai: 'INT64', bi: 'INT64', ad: 'DOUBLE', ab: 'BOOL', bb: 'BOOL',
  at: 'TIMESTAMP', adur: 'DURATION', aip: 'IP_ADDRESS', amail: 'EMAIL_ADDRESS', auri: 'URI', adns: 'DNS_NAME',
  ar: 'STRING_MAP', 'request.headers': 'STRING_MAP', 'source.name': 'STRING', 'request.size': 'INT64',
});
const NAMES = MANIFEST.names();
const COMPILERS = new ExpressionCompilers(MANIFEST);
const LANGUAGES = [ExpressionLanguage.CEXL, ExpressionLanguage.CEL, ExpressionLanguage.COMPAT];


/** Typed expressions, so that most of them compile and reach the evaluator. `|` is `pick` in CEL. */
function typedExpression(language: ExpressionLanguage): fc.Arbitrary<string> {
  const either = (a: string, b: string): string => (language === ExpressionLanguage.CEL ? `pick(${a}, ${b})` : `(${a} | ${b})`);
  const { str, int, bool } = fc.letrec<{ str: string; int: string; bool: string }>((tie) => ({
    str: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.constantFrom('as', 'bs', 'source.name', '"abc"', '""', '"x-user"', '"1.2.3.4"', '"a.b.com"', '"^a.*"'),
      tie('str').map((a) => `toLower(${a})`),
      fc.tuple(fc.constantFrom('ar', 'request.headers'), tie('str')).map(([map, key]) => `${map}[${key}]`),
      fc.tuple(tie('str'), tie('str')).map(([a, b]) => `(${a} + ${b})`),
      fc.tuple(tie('str'), tie('str')).map(([a, b]) => either(a, b)),
      fc.tuple(tie('bool'), tie('str'), tie('str')).map(([c, a, b]) => `conditional(${c}, ${a}, ${b})`),
    ),
    int: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.constantFrom('ai', 'bi', 'request.size', '0', '42', '9223372036854775807'),
      tie('str').map((a) => `size(${a})`),
      fc.tuple(tie('int'), tie('int')).map(([a, b]) => `(${a} + ${b})`),
      fc.tuple(tie('int'), tie('int')).map(([a, b]) => either(a, b)),
    ),
    bool: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.constantFrom('ab', 'bb', 'true', 'false'),
      fc.tuple(tie('str'), fc.constantFrom('==', '!=', '<', '>='), tie('str')).map(([a, op, b]) => `(${a} ${op} ${b})`),
      fc.tuple(tie('int'), fc.constantFrom('==', '!=', '<', '<=', '>'), tie('int')).map(([a, op, b]) => `(${a} ${op} ${b})`),
      fc.tuple(tie('bool'), fc.constantFrom('&&', '||'), tie('bool')).map(([a, op, b]) => `(${a} ${op} ${b})`),
      fc.tuple(tie('str'), fc.constantFrom('startsWith', 'endsWith'), tie('str')).map(([a, method, b]) => `(${a}).${method}(${b})`),
      fc.tuple(tie('str'), tie('str')).map(([a, b]) => (language === ExpressionLanguage.CEL ? `(${b}).matches(${a})` : `(${a}).matches(${b})`)),
      fc.tuple(tie('str'), tie('str')).map(([a, b]) => `match(${a}, ${b})`),
      tie('str').map((a) => `(ip(${a}) == ${either('aip', 'ip("0.0.0.0")')})`),
      tie('str').map((a) => `(dnsName(${a}) == adns)`),
      tie('str').map((a) => `(email(${a}) == amail)`),
      tie('str').map((a) => `(uri(${a}) == auri)`),
      tie('str').map((a) => `(timestamp(${a}) < at)`),
    ),
  }));
  return fc.oneof(bool, bool, str, int);
}

const TOKENS = [
  ...NAMES, '==', '!=', '<', '<=', '>', '>=', '&&', '||', '|', '+', '-', '*', '/', '%', '!', '(', ')', '[', ']', ',', '.',
  '?', ':', 'in', '"x-user"', '"abc"', '"10s"', '"1.2.3.4"', '"a.*"', '""', "'c'", '`raw`', '0', '1', '-1', '42', '2.5',
  '9223372036854775807', 'true', 'false', 'null', 'size', 'match', 'matches', 'startsWith', 'endsWith', 'ip', 'timestamp',
  'dnsName', 'email', 'uri', 'emptyStringMap', 'conditional', 'toLower', 'pick', 'has', 'int', 'string', 'duration',
  '{', '}', 'x', '@', '\n',
];

/** Typed expressions, token soup (mostly near-valid text) and arbitrary unicode text. */
function expressionText(language: ExpressionLanguage): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 5, arbitrary: typedExpression(language) },
    { weight: 3, arbitrary: fc.array(fc.constantFrom(...TOKENS), { minLength: 1, maxLength: 12 }).map((tokens) => tokens.join(' ')) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  );
}

/** Any value of any attribute type: bags may also hold mistyped values, as a buggy client would send. */
const anyValue: fc.Arbitrary<AttributeValue> = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom('a.b.com', 'x@y.com', 'http://a:8/p?q', '10.0.0.1', '', '*', '.*', '('),
  fc.integer(),
  fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }).map((value) => (Number.isSafeInteger(Number(value)) ? Number(value) : value)),
  fc.double(),
  fc.boolean(),
  fc.integer({ min: -1e6, max: 1e10 }).map((seconds) => Timestamp.fromParts(seconds, 0)),
  fc.bigInt({ min: -(1n << 40n), max: 1n << 40n }).map((nanos) => Duration.ofNanos(nanos)),
  fc.constantFrom(IpAddress.parse('1.2.3.4'), IpAddress.parse('::1'), IpAddress.EMPTY),
  fc.dictionary(fc.constantFrom('x-user', 'a', 'b', ''), fc.string({ maxLength: 6 })).map((object) => StringMap.fromObject(object)),
);

const anyBag = fc.dictionary(fc.constantFrom(...NAMES), anyValue, { maxKeys: 8 }).map((values) => new DictBag(Object.entries(values)));

function compileOrUndefined(text: string, language: ExpressionLanguage): CompiledExpression | undefined {
  try {
    return COMPILERS.compile(text, language);
  } catch (error) {
    if (error instanceof ExpressionCompileError) return undefined;
    throw new Error(`compiling ${JSON.stringify(text)} (${language}) threw a non-compile error: ${String(error)}`, { cause: error });
  }
}

test('random text and random bags make the parser, checker and evaluator throw only typed errors', () => {
  let compiled = 0;
  let evaluated = 0;
  fc.assert(
    fc.property(
      fc.constantFrom(...LANGUAGES).chain((language) => fc.tuple(fc.constant(language), expressionText(language))),
      fc.array(anyBag, { minLength: 1, maxLength: 3 }),
      ([language, text], bags) => {
      const expression = compileOrUndefined(text, language);
      if (expression === undefined) return;
      compiled++;
      for (const bag of bags) {
        try {
          expression.evaluate(new TrackingBag(bag));
          evaluated++;
        } catch (error) {
          if (!(error instanceof ExpressionEvaluationError)) {
            throw new Error(`evaluating ${JSON.stringify(text)} (${language}) threw a non-evaluation error: ${String(error)}`, { cause: error });
          }
        }
      }
      },
    ),
    { numRuns: 4000 },
  );
  // The generator must actually reach the evaluator, or the property proves nothing.
  assert.ok(compiled > 1500, `only ${compiled} random expressions compiled`);
  assert.ok(evaluated > 500, `only ${evaluated} evaluations succeeded`);
});
