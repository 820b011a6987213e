import type { AttributeManifest } from '../attribute/manifest.js';
import { CelExpressionCompiler } from './cel/cel-compiler.js';
import { CexlCompiler } from './cexl/cexl-compiler.js';
import { ExpressionLanguage, type CompiledExpression, type ExpressionCompiler } from './expression.js';

/**
 * The compilers of every expression language over one attribute manifest, created on first
 * use. A config snapshot owns one of these; expressions compile once, when config loads, and
 * a text met again in the same language compiles to the same (stateless) expression: generated
 * configs repeat instance params and matches thousands of times.
 */
export class ExpressionCompilers {
  private readonly compilers = new Map<ExpressionLanguage, ExpressionCompiler>();
  private readonly compiled = new Map<ExpressionLanguage, Map<string, CompiledExpression>>();

  constructor(readonly manifest: AttributeManifest) {}

  forLanguage(language: ExpressionLanguage): ExpressionCompiler {
    let compiler = this.compilers.get(language);
    if (compiler === undefined) {
      compiler =
        language === ExpressionLanguage.CEXL
          ? new CexlCompiler(this.manifest)
          : new CelExpressionCompiler(this.manifest, language);
      this.compilers.set(language, compiler);
    }
    return compiler;
  }

  compile(text: string, language: ExpressionLanguage = ExpressionLanguage.CEXL): CompiledExpression {
    let known = this.compiled.get(language);
    if (known === undefined) {
      known = new Map();
      this.compiled.set(language, known);
    }
    let expression = known.get(text);
    if (expression === undefined) {
      expression = this.forLanguage(language).compile(text);
      known.set(text, expression);
    }
    return expression;
  }
}
