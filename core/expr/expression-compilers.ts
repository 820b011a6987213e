import type { AttributeManifest } from '../attribute/manifest.js';
import { CelExpressionCompiler } from './cel/cel-compiler.js';
import { CexlCompiler } from './cexl/cexl-compiler.js';
import { ExpressionLanguage, type CompiledExpression, type ExpressionCompiler } from './expression.js';

/**
 * The compilers of every expression language over one attribute manifest, created on first
 * use. A config snapshot owns one of these; expressions compile once, when config loads.
 */
export class ExpressionCompilers {
  private readonly compilers = new Map<ExpressionLanguage, ExpressionCompiler>();

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
    return this.forLanguage(language).compile(text);
  }
}
