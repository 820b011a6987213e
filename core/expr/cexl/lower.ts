import { Duration } from '../../attribute/duration.js';
import { normalizeInt64 } from '../../attribute/value.js';
import { ValueType } from '../../attribute/value-type.js';
import { ExpressionCompileError } from '../errors.js';
import { parseGoFloat, parseGoInt, unquoteGo } from './go-literal.js';
import type { CexlConstant, CexlExpr } from './istio-ast.js';
import type { GoBasicLiteral, GoExpr, GoSelector } from './syntax.js';

/** Go operator token → Istio's function name (Istio's tMap); missing ones lower to an unknown function. */
const BINARY_FUNCTIONS: ReadonlyMap<string, string> = new Map([
  ['+', 'ADD'], ['-', 'SUB'], ['*', 'MUL'], ['/', 'QUO'], ['%', 'REM'],
  ['&', 'AND'], ['|', 'OR'], ['^', 'XOR'], ['&&', 'LAND'], ['||', 'LOR'],
  ['==', 'EQ'], ['<', 'LT'], ['>', 'GT'], ['!=', 'NEQ'], ['<=', 'LEQ'], ['>=', 'GEQ'],
]);

const UNARY_FUNCTIONS: ReadonlyMap<string, string> = new Map([
  ['+', 'ADD'], ['-', 'SUB'], ['!', 'NOT'], ['^', 'XOR'],
]);

/**
 * Lowers the Go syntax tree to Istio's expression form: operators become functions, a dotted
 * identifier chain becomes one attribute name, `x.f(...)` on a chain becomes a method call on
 * the attribute, literals become typed constants (a string Go's ParseDuration accepts is a
 * DURATION constant).
 */
export function lowerCexl(expression: GoExpr, text: string): CexlExpr {
  const unexpected = (description: string, node: GoExpr): ExpressionCompileError =>
    new ExpressionCompileError(`unexpected expression: ${description}`, text, node.position);

  const lower = (node: GoExpr): CexlExpr => {
    switch (node.kind) {
      case 'paren':
        return lower(node.expression);
      case 'literal':
        return lowerLiteral(node, text);
      case 'ident': {
        const lowered = node.name.toLowerCase();
        if (lowered === 'true' || lowered === 'false') {
          return { kind: 'constant', type: ValueType.BOOL, value: lowered === 'true', text: lowered };
        }
        return { kind: 'variable', name: node.name };
      }
      case 'unary':
        return { kind: 'function', name: UNARY_FUNCTIONS.get(node.operator) ?? '', args: [lower(node.operand)] };
      case 'binary':
        return { kind: 'function', name: BINARY_FUNCTIONS.get(node.operator) ?? '', args: [lower(node.left), lower(node.right)] };
      case 'index':
        return { kind: 'function', name: 'INDEX', args: [lower(node.target), lower(node.index)] };
      case 'selector': {
        const { anchor, names } = flattenSelectors(node);
        if (anchor !== undefined) throw unexpected('field selection on a value that is not an attribute name', node);
        return { kind: 'variable', name: names.join('.') };
      }
      case 'call': {
        const args = node.args.map(lower);
        const callee = node.callee;
        if (callee.kind === 'ident') return { kind: 'function', name: callee.name, args };
        if (callee.kind === 'selector') {
          const { anchor, names } = flattenSelectors(callee);
          const method = names[names.length - 1]!;
          if (anchor === undefined) {
            return { kind: 'function', name: method, target: { kind: 'variable', name: names.slice(0, -1).join('.') }, args };
          }
          if (names.length !== 1) throw unexpected('method call on a field of a value', callee);
          if (anchor.kind === 'index') {
            throw unexpected('method call on an index expression (wrap the receiver in parentheses)', callee);
          }
          return { kind: 'function', name: method, target: lower(anchor), args };
        }
        throw unexpected('call of something that is not a function name or method', node);
      }
    }
  };
  return lower(expression);
}

/**
 * `a.b.c` → names [a, b, c] with no anchor; `f(x).m` / `"s".m` / `(e).m` → anchor and [m].
 */
function flattenSelectors(selector: GoSelector): { anchor: GoExpr | undefined; names: string[] } {
  const names: string[] = [];
  let node: GoExpr = selector;
  while (node.kind === 'selector') {
    names.unshift(node.name);
    node = node.target;
  }
  if (node.kind === 'ident') {
    names.unshift(node.name);
    return { anchor: undefined, names };
  }
  return { anchor: node, names };
}

function lowerLiteral(node: GoBasicLiteral, text: string): CexlConstant {
  const fail = (message: string): ExpressionCompileError => new ExpressionCompileError(message, text, node.position);
  switch (node.token) {
    case 'INT': {
      const parsed = parseGoInt(node.raw);
      if (!parsed.ok) throw fail(parsed.error);
      return { kind: 'constant', type: ValueType.INT64, value: normalizeInt64(parsed.value), text: node.raw };
    }
    case 'FLOAT': {
      const parsed = parseGoFloat(node.raw);
      if (!parsed.ok) throw fail(parsed.error);
      return { kind: 'constant', type: ValueType.DOUBLE, value: parsed.value, text: node.raw };
    }
    case 'IMAG':
      // Istio has no type for imaginary literals and fails unquoting them as text.
      throw fail('invalid syntax');
    case 'CHAR':
    case 'STRING': {
      const unquoted = unquoteGo(node.raw);
      if (!unquoted.ok) throw fail(unquoted.error);
      const duration = Duration.tryParse(unquoted.value);
      if (duration !== undefined) return { kind: 'constant', type: ValueType.DURATION, value: duration, text: node.raw };
      return { kind: 'constant', type: ValueType.STRING, value: unquoted.value, text: node.raw };
    }
  }
}
