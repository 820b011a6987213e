import type { AttributeBag } from '../../attribute/bag.js';
import type { AttributeManifest } from '../../attribute/manifest.js';
import type { AttributeValue } from '../../attribute/value.js';
import { ValueType } from '../../attribute/value-type.js';
import { ExpressionEvaluationError } from '../errors.js';
import { ExpressionLanguage, type CompiledExpression, type ExpressionCompiler, type ExpressionSelector } from '../expression.js';
import { toDnsName } from '../functions/dns-name.js';
import { toEmail } from '../functions/email.js';
import { globMatch } from '../functions/glob.js';
import { toIpAddress } from '../functions/ip.js';
import { toTimestamp } from '../functions/timestamp.js';
import { toUri } from '../functions/uri.js';
import { CexlCodeGenerator, type ExternImplementation, type StrictEval } from './code-generator.js';
import { STANDARD_SIGNATURES, type FunctionSignature } from './function-metadata.js';
import { lowerCexl } from './lower.js';
import { parseGoExpression } from './parser.js';
import { cexlSelector } from './selector.js';
import { CexlTypeChecker } from './type-checker.js';

/** A function added to the language (tests add Istio's test-only `reverse`). */
export interface CexlExternFunction {
  readonly signature: FunctionSignature;
  readonly implementation: ExternImplementation;
}

export interface CexlCompilerOptions {
  readonly extraFunctions?: readonly CexlExternFunction[];
}

const STANDARD_EXTERNS: ReadonlyMap<string, ExternImplementation> = new Map<string, ExternImplementation>([
  ['ip', (text) => toIpAddress(text as string)],
  ['timestamp', (text) => toTimestamp(text as string)],
  ['dnsName', (text) => toDnsName(text as string)],
  ['email', (text) => toEmail(text as string)],
  ['uri', (text) => toUri(text as string)],
  ['match', (value, pattern) => globMatch(value as string, pattern as string)],
]);

class CompiledCexl implements CompiledExpression {
  readonly language = ExpressionLanguage.CEXL;

  constructor(
    readonly text: string,
    readonly type: ValueType,
    private readonly root: StrictEval,
    readonly selector: ExpressionSelector | undefined,
  ) {}

  evaluate(bag: AttributeBag): AttributeValue {
    try {
      return this.root(bag);
    } catch (error) {
      if (error instanceof ExpressionEvaluationError) throw error;
      // A defect, not a property of the request: still surface it as an evaluation failure.
      throw new ExpressionEvaluationError(`internal error evaluating '${this.text}': ${String(error)}`);
    }
  }
}

/**
 * Compiles CEXL (Istio's Configuration Expression Language) once into closures: Go-syntax
 * parsing, lowering, Istio's type rules against the manifest, then code generation.
 */
export class CexlCompiler implements ExpressionCompiler {
  readonly language = ExpressionLanguage.CEXL;
  private readonly signatures: ReadonlyMap<string, FunctionSignature>;
  private readonly externs: ReadonlyMap<string, ExternImplementation>;

  constructor(
    private readonly manifest: AttributeManifest,
    options: CexlCompilerOptions = {},
  ) {
    const extra = options.extraFunctions ?? [];
    this.signatures = new Map([...STANDARD_SIGNATURES, ...extra.map((entry) => entry.signature)].map((signature) => [signature.name, signature]));
    this.externs = new Map([...STANDARD_EXTERNS, ...extra.map((entry) => [entry.signature.name, entry.implementation] as const)]);
  }

  compile(text: string): CompiledExpression {
    const syntax = parseGoExpression(text);
    const lowered = lowerCexl(syntax, text);
    const checker = new CexlTypeChecker(this.manifest, this.signatures, text);
    const type = checker.typeOf(lowered);
    const generator = new CexlCodeGenerator(checker, this.externs, text);
    const root = generator.strict(lowered);
    return new CompiledCexl(text, type, root, type === ValueType.BOOL ? cexlSelector(lowered, checker, generator) : undefined);
  }
}
