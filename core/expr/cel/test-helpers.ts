/** Test support (not a test file): compile and evaluate with a small Istio-like manifest. */
import { DictBag } from '../../attribute/dict-bag.js';
import { AttributeManifest } from '../../attribute/manifest.js';
import { TrackingBag } from '../../attribute/tracking-bag.js';
import type { AttributeValue } from '../../attribute/value.js';
import { ExpressionCompileError, ExpressionEvaluationError } from '../errors.js';
import { ExpressionLanguage } from '../expression.js';
import { type CelCompiledExpression, type CelCompilerOptions, CelExpressionCompiler } from './cel-compiler.js';

export const TEST_ATTRIBUTES = {
  as: 'STRING',
  bs: 'STRING',
  ai: 'INT64',
  ad: 'DOUBLE',
  ab: 'BOOL',
  'context.reporter.kind': 'STRING',
  'context.protocol': 'STRING',
  'context.time': 'TIMESTAMP',
  'request.headers': 'STRING_MAP',
  'request.size': 'INT64',
  'request.time': 'TIMESTAMP',
  'request.path': 'STRING',
  'response.duration': 'DURATION',
  'response.code': 'INT64',
  'source.ip': 'IP_ADDRESS',
  'source.labels': 'STRING_MAP',
  'source.name': 'STRING',
  'source.principal': 'STRING',
  'destination.ip': 'IP_ADDRESS',
  'destination.labels': 'STRING_MAP',
  'destination.service.host': 'STRING',
  'test.double': 'DOUBLE',
  'test.bool': 'BOOL',
  'test.email': 'EMAIL_ADDRESS',
  'test.uri': 'URI',
  'test.dns': 'DNS_NAME',
  'test.bytes': 'BYTES',
} as const;

const manifest = AttributeManifest.of(TEST_ATTRIBUTES);
const compilers = new Map<string, CelExpressionCompiler>();

export function compilerFor(language: ExpressionLanguage.CEL | ExpressionLanguage.COMPAT, options?: CelCompilerOptions): CelExpressionCompiler {
  if (options !== undefined) return new CelExpressionCompiler(manifest, language, options);
  let compiler = compilers.get(language);
  if (compiler === undefined) {
    compiler = new CelExpressionCompiler(manifest, language);
    compilers.set(language, compiler);
  }
  return compiler;
}

export function compileCel(text: string, language = ExpressionLanguage.CEL as ExpressionLanguage.CEL | ExpressionLanguage.COMPAT): CelCompiledExpression {
  return compilerFor(language).compile(text);
}

export interface Evaluation {
  readonly value: AttributeValue;
  readonly referenced: string[];
}

/** Compiles and evaluates, returning the value and the references recorded. */
export function run(
  text: string,
  attributes: Readonly<Record<string, AttributeValue>> = {},
  language = ExpressionLanguage.CEL as ExpressionLanguage.CEL | ExpressionLanguage.COMPAT,
): Evaluation {
  const bag = new TrackingBag(DictBag.of(attributes));
  const value = compileCel(text, language).evaluate(bag);
  return { value, referenced: bag.referenced.toStrings() };
}

export function evaluate(text: string, attributes: Readonly<Record<string, AttributeValue>> = {}): AttributeValue {
  return run(text, attributes).value;
}

/** The message of the ExpressionEvaluationError evaluation raises (failing otherwise). */
export function evaluationError(text: string, attributes: Readonly<Record<string, AttributeValue>> = {}): string {
  const expression = compileCel(text);
  try {
    expression.evaluate(DictBag.of(attributes));
  } catch (error) {
    if (error instanceof ExpressionEvaluationError) return error.message;
    throw new Error(`expected an ExpressionEvaluationError, got ${String(error)}`);
  }
  throw new Error(`expected '${text}' to fail`);
}

/** The ExpressionCompileError compiling raises (failing otherwise). */
export function compileError(
  text: string,
  language = ExpressionLanguage.CEL as ExpressionLanguage.CEL | ExpressionLanguage.COMPAT,
): ExpressionCompileError {
  try {
    compileCel(text, language);
  } catch (error) {
    if (error instanceof ExpressionCompileError) return error;
    throw new Error(`expected an ExpressionCompileError, got ${String(error)}`);
  }
  throw new Error(`expected '${text}' not to compile`);
}
