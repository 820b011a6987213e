import { Duration } from '../../attribute/duration.js';
import { unquoteGo } from '../cexl/go-literal.js';
import type { GoBinary, GoExpr, GoUnary } from '../cexl/syntax.js';
import { BINARY_OPERATORS, type CelExpr, type IdGenerator, type LiteralValue, Operators } from './ast.js';
import { MAX_INT64 } from './literals.js';
import { expandCall } from './macros.js';
import { CelSyntaxError } from './syntax-error.js';

const CEL_INT = /^(0[xX][0-9a-fA-F]+|\d+)$/;
const CEL_DOUBLE = /^(\d*\.\d+([eE][+-]?\d+)?|\d+[eE][+-]?\d+)$/;

/**
 * COMPAT mode: a CEXL expression (Go syntax tree) rewritten as CEL, as Istio's translator did
 * before handing the text to the CEL parser: every `x | y` chain becomes `pick(x, y, ...)`
 * (flattened, but not through parentheses), every string literal Go's time.ParseDuration
 * accepts becomes `duration("...")`, and Go operators, selectors, calls and indexing map to
 * their CEL forms. Macros (`pick`, `conditional`, `has`, comprehensions) are expanded as the
 * CEL parser would. Throws CelSyntaxError for Go forms CEL cannot express.
 */
export function translateGoExpression(expr: GoExpr, ids: IdGenerator): CelExpr {
  return new CompatTranslator(ids).translate(expr);
}

class CompatTranslator {
  constructor(private readonly ids: IdGenerator) {}

  translate(expr: GoExpr): CelExpr {
    const offset = expr.position.offset;
    switch (expr.kind) {
      case 'ident': {
        const lower = expr.name.toLowerCase();
        if (lower === 'true' || lower === 'false') return this.literal({ type: 'bool', value: lower === 'true' }, offset);
        return { kind: 'ident', id: this.ids.id(), offset, name: expr.name };
      }
      case 'literal':
        return this.translateLiteral(expr.token, expr.raw, offset, false);
      case 'paren':
        return this.translate(expr.expression);
      case 'binary':
        return this.translateBinary(expr);
      case 'unary':
        return this.translateUnary(expr);
      case 'selector':
        return { kind: 'select', id: this.ids.id(), offset, operand: this.translate(expr.target), field: expr.name, testOnly: false };
      case 'index':
        return this.call(Operators.INDEX, offset, [this.translate(expr.target), this.translate(expr.index)]);
      case 'call': {
        const args = expr.args.map((arg) => this.translate(arg));
        const callee = expr.callee;
        if (callee.kind === 'ident') return this.call(callee.name, callee.position.offset, args);
        if (callee.kind === 'selector') return this.call(callee.name, offset, args, this.translate(callee.target));
        throw new CelSyntaxError('Syntax error: unsupported call target', offset);
      }
    }
  }

  private call(fn: string, offset: number, args: CelExpr[], target?: CelExpr): CelExpr {
    return expandCall(this.ids, { kind: 'call', id: this.ids.id(), offset, fn, target, args });
  }

  private literal(literal: LiteralValue, offset: number): CelExpr {
    return { kind: 'literal', id: this.ids.id(), offset, literal };
  }

  private translateLiteral(token: string, raw: string, offset: number, negative: boolean): CelExpr {
    switch (token) {
      case 'INT': {
        if (!CEL_INT.test(raw)) throw new CelSyntaxError(`Syntax error: unsupported integer literal ${raw}`, offset);
        const value = negative ? -BigInt(raw) : BigInt(raw);
        if (value > MAX_INT64 || value < -MAX_INT64 - 1n) throw new CelSyntaxError('invalid int literal', offset);
        return this.literal({ type: 'int', value }, offset);
      }
      case 'FLOAT': {
        if (!CEL_DOUBLE.test(raw)) throw new CelSyntaxError(`Syntax error: unsupported floating-point literal ${raw}`, offset);
        const value = Number(raw);
        if (!Number.isFinite(value)) throw new CelSyntaxError('invalid double literal', offset);
        return this.literal({ type: 'double', value: negative ? -value : value }, offset);
      }
      case 'CHAR':
      case 'STRING': {
        const unquoted = unquoteGo(raw);
        if (!unquoted.ok) throw new CelSyntaxError(`Syntax error: invalid literal ${raw}`, offset);
        const text = this.literal({ type: 'string', value: unquoted.value }, offset);
        if (token === 'STRING' && Duration.tryParse(unquoted.value) !== undefined) return this.call('duration', offset, [text]);
        return text;
      }
      default:
        throw new CelSyntaxError(`Syntax error: unsupported literal ${raw}`, offset);
    }
  }

  private translateBinary(expr: GoBinary): CelExpr {
    const offset = expr.position.offset;
    if (expr.operator === '|') return this.call('pick', offset, this.pickArguments(expr));
    const fn = BINARY_OPERATORS.get(expr.operator);
    if (fn === undefined || expr.operator === 'in') throw new CelSyntaxError(`Syntax error: unsupported operator '${expr.operator}'`, offset);
    return this.call(fn, offset, [this.translate(expr.left), this.translate(expr.right)]);
  }

  /** The operands of a `|` chain; a parenthesised chain stays one (nested) pick. */
  private pickArguments(expr: GoExpr): CelExpr[] {
    if (expr.kind === 'binary' && expr.operator === '|') return [...this.pickArguments(expr.left), ...this.pickArguments(expr.right)];
    return [this.translate(expr)];
  }

  private translateUnary(expr: GoUnary): CelExpr {
    const offset = expr.position.offset;
    let operand = expr.operand;
    let count = 1;
    while (operand.kind === 'unary' && operand.operator === expr.operator) {
      operand = operand.operand;
      count++;
    }
    if (expr.operator === '-' && count === 1 && operand.kind === 'literal' && (operand.token === 'INT' || operand.token === 'FLOAT')) {
      return this.translateLiteral(operand.token, operand.raw, offset, true);
    }
    if (expr.operator !== '!' && expr.operator !== '-') {
      throw new CelSyntaxError(`Syntax error: unsupported operator '${expr.operator}'`, offset);
    }
    const translated = this.translate(operand);
    if (count % 2 === 0) return translated;
    return this.call(expr.operator === '!' ? Operators.LOGICAL_NOT : Operators.NEGATE, offset, [translated]);
  }
}
