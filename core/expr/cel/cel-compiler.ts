import type { AttributeBag } from '../../attribute/bag.js';
import type { AttributeManifest } from '../../attribute/manifest.js';
import type { AttributeValue } from '../../attribute/value.js';
import type { ValueType } from '../../attribute/value-type.js';
import { parseGoExpression } from '../cexl/parser.js';
import { ExpressionCompileError } from '../errors.js';
import { type CompiledExpression, type ExpressionCompiler, ExpressionLanguage } from '../expression.js';
import { type CelExpr, IdGenerator } from './ast.js';
import { AttributeTree, valueTypeOfCelType } from './attribute-tree.js';
import { checkCel } from './checker.js';
import { ClosureCompiler } from './closure-compiler.js';
import { translateGoExpression } from './compat-translate.js';
import type { Eval } from './compiled.js';
import type { FunctionRegistry } from './overload.js';
import { parseCel } from './parser.js';
import { resultConverter } from './result.js';
import { toEvaluationError } from './runtime-error.js';
import { type CelExternFunction, standardRegistry } from './stdlib.js';
import { CelSyntaxError, compileErrorOf } from './syntax-error.js';
import { type CelType, formatType } from './types.js';

/*
 * The CEL pipeline (mixer/pkg/lang/cel in Istio, rebuilt without a CEL library):
 *   parser.ts (lexer.ts, literals.ts, macros.ts)  CEL text → ast.ts, macros expanded
 *   compat-translate.ts                           COMPAT: CEXL's Go syntax tree → the same AST
 *   checker.ts (types.ts, attribute-tree.ts)      static types against the attribute tree
 *   closure-compiler.ts, call-compiler.ts         AST → closures, once; constants folded
 *   stdlib*.ts, istio-functions.ts, overload.ts   the function library
 *   values.ts, representation.ts, equality.ts     runtime values (plain vs dyn forms)
 *   attribute-access.ts                           bag reads, zero values, map keys
 *   result.ts                                     CEL values → what evaluate() returns
 */

export type { CelExternFunction } from './stdlib.js';

export interface CelCompilerOptions {
  /** Functions added to the language (they replace built-ins with the same signature). */
  readonly extraFunctions?: readonly CelExternFunction[];
}

const NO_VARS: unknown[] = [];

/** An expression compiled to closures; `evaluate` never throws anything but ExpressionEvaluationError. */
export class CelCompiledExpression implements CompiledExpression {
  /** The CEL type the checker inferred (`map(string, string)`, `.context.reporter`, ...). */
  readonly celType: string;
  readonly evaluate: (bag: AttributeBag) => AttributeValue;

  constructor(
    readonly text: string,
    readonly language: ExpressionLanguage,
    readonly type: ValueType,
    checkedType: CelType,
    root: Eval,
    slots: number,
  ) {
    this.celType = formatType(checkedType);
    const finish = resultConverter(checkedType);
    if (slots === 0 && finish === undefined) {
      this.evaluate = (bag) => {
        try {
          return root(bag, NO_VARS) as AttributeValue;
        } catch (error) {
          throw toEvaluationError(error);
        }
      };
    } else {
      this.evaluate = (bag) => {
        try {
          const value = root(bag, slots === 0 ? NO_VARS : new Array<unknown>(slots));
          return finish === undefined ? (value as AttributeValue) : finish(value);
        } catch (error) {
          throw toEvaluationError(error);
        }
      };
    }
  }
}

/**
 * Compiles CEL (or, in COMPAT mode, CEXL syntax with CEL semantics) against an attribute
 * manifest. Throws ExpressionCompileError, with cel-go's messages and `line:column` positions.
 */
export class CelExpressionCompiler implements ExpressionCompiler {
  private readonly tree: AttributeTree;
  private readonly functions: FunctionRegistry;

  constructor(
    manifest: AttributeManifest,
    readonly language: ExpressionLanguage.CEL | ExpressionLanguage.COMPAT,
    options: CelCompilerOptions = {},
  ) {
    this.tree = AttributeTree.of(manifest);
    this.functions = standardRegistry(options.extraFunctions ?? []);
  }

  compile(text: string): CelCompiledExpression {
    try {
      return this.compileChecked(text);
    } catch (error) {
      if (error instanceof ExpressionCompileError) throw error;
      if (error instanceof CelSyntaxError) throw compileErrorOf(text, [{ message: error.message, offset: error.offset }]);
      const detail = error instanceof RangeError ? 'expression is nested too deeply' : error instanceof Error ? error.message : String(error);
      throw new ExpressionCompileError(`unable to compile expression '${text}': ${detail}`, text);
    }
  }

  private compileChecked(text: string): CelCompiledExpression {
    const expr = this.parse(text);
    const { checked, issues } = checkCel(expr, this.tree, this.functions);
    if (issues.length > 0) throw compileErrorOf(text, issues);
    const compiler = new ClosureCompiler(checked);
    const root = compiler.compileRoot();
    return new CelCompiledExpression(text, this.language, valueTypeOfCelType(checked.type), checked.type, root.eval, compiler.slots);
  }

  private parse(text: string): CelExpr {
    if (this.language === ExpressionLanguage.CEL) return parseCel(text).expr;
    return translateGoExpression(parseGoExpression(text), new IdGenerator());
  }
}
