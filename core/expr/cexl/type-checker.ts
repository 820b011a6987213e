import type { AttributeManifest } from '../../attribute/manifest.js';
import { ValueType, valueTypeName } from '../../attribute/value-type.js';
import { ExpressionCompileError } from '../errors.js';
import type { FunctionSignature } from './function-metadata.js';
import { printCexl, type CexlExpr } from './istio-ast.js';

/**
 * Infers the type of every node with Istio's rules (mixer/pkg/lang/ast EvalType) and its exact
 * error texts. Results are memoised per node, since the code generator asks again.
 */
export class CexlTypeChecker {
  private readonly types = new WeakMap<CexlExpr, ValueType>();

  constructor(
    private readonly manifest: AttributeManifest,
    private readonly functions: ReadonlyMap<string, FunctionSignature>,
    private readonly text: string,
  ) {}

  typeOf(expression: CexlExpr): ValueType {
    const known = this.types.get(expression);
    if (known !== undefined) return known;
    const type = this.infer(expression);
    this.types.set(expression, type);
    return type;
  }

  signatureOf(name: string): FunctionSignature | undefined {
    return this.functions.get(name);
  }

  private error(message: string): ExpressionCompileError {
    return new ExpressionCompileError(message, this.text);
  }

  private infer(expression: CexlExpr): ValueType {
    switch (expression.kind) {
      case 'constant':
        return expression.type;
      case 'variable': {
        const type = this.manifest.typeOf(expression.name);
        if (type === undefined) throw this.error(`unknown attribute ${expression.name}`);
        return type;
      }
      case 'function':
        return this.inferFunction(expression);
    }
  }

  private inferFunction(call: CexlExpr & { kind: 'function' }): ValueType {
    const signature = this.functions.get(call.name);
    if (signature === undefined) throw this.error(`unknown function: ${call.name}`);
    const printed = (): string => printCexl(call);
    let template = ValueType.VALUE_TYPE_UNSPECIFIED;

    if (call.target !== undefined) {
      if (!signature.instance) throw this.error(`invoking regular function on instance method: ${call.name}`);
      const targetType = this.typeOf(call.target);
      if (signature.targetType === ValueType.VALUE_TYPE_UNSPECIFIED) {
        template = targetType;
      } else if (targetType !== signature.targetType) {
        throw this.error(`${printed()} target typeError got ${valueTypeName(targetType)}, expected ${valueTypeName(signature.targetType)}`);
      }
    } else if (signature.instance) {
      throw this.error(`invoking instance method without an instance: ${call.name}`);
    }

    const expected = signature.argumentTypes;
    if (call.args.length < expected.length) {
      throw this.error(`${printed()} arity mismatch. Got ${call.args.length} arg(s), expected ${expected.length} arg(s)`);
    }
    if (call.args.length > expected.length) {
      // Istio left extra arguments unchecked and undefined at run time; we refuse them.
      throw this.error(`${printed()} arity mismatch. Got ${call.args.length} arg(s), expected ${expected.length} arg(s)`);
    }
    for (let index = 0; index < call.args.length; index++) {
      const argument = call.args[index]!;
      const argumentType = this.typeOf(argument);
      let want = expected[index]!;
      if (want === ValueType.VALUE_TYPE_UNSPECIFIED) {
        if (template === ValueType.VALUE_TYPE_UNSPECIFIED) {
          template = argumentType;
          continue;
        }
        want = template;
      }
      if (argumentType !== want) {
        throw this.error(
          `${printed()} arg ${index + 1} (${printCexl(argument)}) typeError got ${valueTypeName(argumentType)}, expected ${valueTypeName(want)}`,
        );
      }
    }
    return signature.returnType === ValueType.VALUE_TYPE_UNSPECIFIED ? template : signature.returnType;
  }
}
