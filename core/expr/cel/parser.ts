import {
  BINARY_OPERATORS,
  type CelExpr,
  type FieldInit,
  IdGenerator,
  type LiteralValue,
  type MapEntry,
  Operators,
  qualifiedName,
} from './ast.js';
import { tokenize, type Token } from './lexer.js';
import { doubleLiteralValue, integerLiteralValue, MAX_INT64, MAX_UINT64 } from './literals.js';
import { expandCall } from './macros.js';
import { CelSyntaxError } from './syntax-error.js';

/** Nesting deeper than this is rejected (cel-go's default recursion limit). */
const MAX_DEPTH = 250;

const RELATIONS = new Set(['<', '<=', '>', '>=', '==', '!=']);

export interface ParsedExpression {
  readonly expr: CelExpr;
  readonly ids: IdGenerator;
}

/** Parses CEL text (macros expanded); throws CelSyntaxError. */
export function parseCel(text: string): ParsedExpression {
  const ids = new IdGenerator();
  const parser = new CelParser(tokenize(text), ids);
  return { expr: parser.parseWhole(), ids };
}

/** Where a select chain's text starts (its root identifier). */
function startOffset(expr: CelExpr): number {
  let node = expr;
  while (node.kind === 'select') node = node.operand;
  return node.offset;
}

class CelParser {
  private index = 0;
  private depth = 0;

  constructor(
    private readonly tokens: readonly Token[],
    private readonly ids: IdGenerator,
  ) {}

  private get token(): Token {
    return this.tokens[this.index]!;
  }

  private peek(ahead = 1): Token {
    return this.tokens[Math.min(this.index + ahead, this.tokens.length - 1)]!;
  }

  private advance(): Token {
    const token = this.token;
    if (this.index < this.tokens.length - 1) this.index++;
    return token;
  }

  private isPunct(text: string, token = this.token): boolean {
    return token.kind === 'PUNCT' && token.text === text;
  }

  private expect(text: string): Token {
    if (!this.isPunct(text)) this.fail(`expecting '${text}'`);
    return this.advance();
  }

  private fail(expecting?: string): never {
    const token = this.token;
    const found = token.kind === 'EOF' ? '<EOF>' : `'${token.text}'`;
    const message = token.kind === 'EOF' ? `mismatched input ${found}` : `extraneous input ${found}`;
    throw new CelSyntaxError(`Syntax error: ${message}${expecting === undefined ? '' : ` ${expecting}`}`, token.offset);
  }

  parseWhole(): CelExpr {
    const expr = this.parseExpr();
    if (this.token.kind !== 'EOF') this.fail('expecting <EOF>');
    return expr;
  }

  private call(fn: string, offset: number, args: CelExpr[], target?: CelExpr): CelExpr {
    return expandCall(this.ids, { kind: 'call', id: this.ids.id(), offset, fn, target, args });
  }

  private parseExpr(): CelExpr {
    this.deeper(this.token);
    try {
      const condition = this.parseBinary(0);
      if (!this.isPunct('?')) return condition;
      const question = this.advance();
      const whenTrue = this.parseBinary(0);
      this.expect(':');
      const whenFalse = this.parseExpr();
      return this.call(Operators.CONDITIONAL, question.offset, [condition, whenTrue, whenFalse]);
    } finally {
      this.depth--;
    }
  }

  /** Levels: 0 `||`, 1 `&&`, 2 relations and `in`, 3 `+ -`, 4 `* / %`. */
  private parseBinary(level: number): CelExpr {
    if (level > 4) return this.parseUnary();
    let left = this.parseBinary(level + 1);
    const depth = this.depth;
    try {
      for (;;) {
        const token = this.token;
        const operator = this.binaryOperatorAt(level, token);
        if (operator === undefined) return left;
        this.advance();
        this.deeper(token);
        const right = this.parseBinary(level + 1);
        left = this.call(BINARY_OPERATORS.get(operator)!, token.offset, [left, right]);
      }
    } finally {
      this.depth = depth;
    }
  }

  /** Chains (`a + b + c`, `a.b.c`) nest as deeply as parentheses do; count them too. */
  private deeper(token: Token): void {
    if (++this.depth > MAX_DEPTH) throw new CelSyntaxError(`expression recursion limit exceeded: ${MAX_DEPTH}`, token.offset);
  }

  private binaryOperatorAt(level: number, token: Token): string | undefined {
    if (token.kind === 'IDENT') return level === 2 && token.text === 'in' ? 'in' : undefined;
    if (token.kind !== 'PUNCT') return undefined;
    const text = token.text;
    switch (level) {
      case 0:
        return text === '||' ? text : undefined;
      case 1:
        return text === '&&' ? text : undefined;
      case 2:
        return RELATIONS.has(text) ? text : undefined;
      case 3:
        return text === '+' || text === '-' ? text : undefined;
      default:
        return text === '*' || text === '/' || text === '%' ? text : undefined;
    }
  }

  private parseUnary(): CelExpr {
    const token = this.token;
    if (this.isPunct('!') || this.isPunct('-')) {
      let count = 0;
      while (this.isPunct(token.text)) {
        this.advance();
        count++;
      }
      const next = this.token;
      if (token.text === '-' && count === 1 && (next.kind === 'INT' || next.kind === 'DOUBLE')) {
        return this.parseMemberSuffix(this.parseNumber(true, token.offset));
      }
      const operand = this.parseMember();
      if (count % 2 === 0) return operand;
      return this.call(token.text === '!' ? Operators.LOGICAL_NOT : Operators.NEGATE, token.offset, [operand]);
    }
    return this.parseMember();
  }

  private parseMember(): CelExpr {
    return this.parseMemberSuffix(this.parsePrimary());
  }

  private parseMemberSuffix(initial: CelExpr): CelExpr {
    const depth = this.depth;
    try {
      return this.parseMemberChain(initial);
    } finally {
      this.depth = depth;
    }
  }

  private parseMemberChain(initial: CelExpr): CelExpr {
    let expr = initial;
    for (;;) {
      const token = this.token;
      if (this.isPunct('.') || this.isPunct('[') || this.isPunct('{')) this.deeper(token);
      if (this.isPunct('.')) {
        this.advance();
        const name = this.token;
        if (name.kind !== 'IDENT') this.fail('expecting IDENTIFIER');
        this.advance();
        if (this.isPunct('(')) {
          const open = this.advance();
          const args = this.parseExprList(')');
          expr = this.call(name.text, open.offset, args, expr);
        } else {
          expr = { kind: 'select', id: this.ids.id(), offset: token.offset, operand: expr, field: name.text, testOnly: false };
        }
      } else if (this.isPunct('[')) {
        this.advance();
        const index = this.parseExpr();
        this.expect(']');
        expr = this.call(Operators.INDEX, token.offset, [expr, index]);
      } else if (this.isPunct('{') && qualifiedName(expr) !== undefined) {
        expr = this.parseStruct(qualifiedName(expr)!, startOffset(expr));
      } else {
        return expr;
      }
    }
  }

  private parsePrimary(): CelExpr {
    const token = this.token;
    switch (token.kind) {
      case 'INT':
      case 'DOUBLE':
        return this.parseNumber(false, token.offset);
      case 'UINT': {
        this.advance();
        const value = integerLiteralValue(token.text);
        if (value > MAX_UINT64) throw new CelSyntaxError('invalid uint literal', token.offset);
        return this.literal({ type: 'uint', value }, token.offset);
      }
      case 'STRING':
        this.advance();
        return this.literal({ type: 'string', value: token.stringValue! }, token.offset);
      case 'BYTES':
        this.advance();
        return this.literal({ type: 'bytes', value: token.bytesValue! }, token.offset);
      case 'IDENT':
        return this.parseIdentOrCall(false);
      case 'PUNCT':
        break;
      default:
        this.fail();
    }
    if (this.isPunct('.') && this.peek().kind === 'IDENT') {
      this.advance();
      return this.parseIdentOrCall(true);
    }
    if (this.isPunct('(')) {
      this.advance();
      const inner = this.parseExpr();
      this.expect(')');
      return inner;
    }
    if (this.isPunct('[')) {
      this.advance();
      const elements = this.parseExprList(']');
      return { kind: 'list', id: this.ids.id(), offset: token.offset, elements };
    }
    if (this.isPunct('{')) {
      this.advance();
      const entries: MapEntry[] = [];
      while (!this.isPunct('}')) {
        const key = this.parseExpr();
        const colon = this.expect(':');
        const value = this.parseExpr();
        entries.push({ key, value, offset: colon.offset });
        if (!this.isPunct(',')) break;
        this.advance();
      }
      this.expect('}');
      return { kind: 'map', id: this.ids.id(), offset: token.offset, entries };
    }
    this.fail();
  }

  private parseIdentOrCall(leadingDot: boolean): CelExpr {
    const token = this.advance();
    const name = leadingDot ? `.${token.text}` : token.text;
    if (!leadingDot) {
      if (token.text === 'true' || token.text === 'false') return this.literal({ type: 'bool', value: token.text === 'true' }, token.offset);
      if (token.text === 'null') return this.literal({ type: 'null' }, token.offset);
      if (token.text === 'in') throw new CelSyntaxError("Syntax error: mismatched input 'in'", token.offset);
    }
    if (this.isPunct('(')) {
      this.advance();
      const args = this.parseExprList(')');
      return this.call(name, token.offset, args);
    }
    return { kind: 'ident', id: this.ids.id(), offset: token.offset, name };
  }

  private parseNumber(negative: boolean, offset: number): CelExpr {
    const token = this.advance();
    if (token.kind === 'DOUBLE') {
      const magnitude = doubleLiteralValue(token.text);
      if (!Number.isFinite(magnitude)) throw new CelSyntaxError('invalid double literal', token.offset);
      return this.literal({ type: 'double', value: negative ? -magnitude : magnitude }, offset);
    }
    const magnitude = integerLiteralValue(token.text);
    const value = negative ? -magnitude : magnitude;
    if (value > MAX_INT64 || value < -MAX_INT64 - 1n) throw new CelSyntaxError('invalid int literal', token.offset);
    return this.literal({ type: 'int', value }, offset);
  }

  private literal(literal: LiteralValue, offset: number): CelExpr {
    return { kind: 'literal', id: this.ids.id(), offset, literal };
  }

  private parseExprList(close: string): CelExpr[] {
    const items: CelExpr[] = [];
    while (!this.isPunct(close)) {
      items.push(this.parseExpr());
      if (!this.isPunct(',')) break;
      this.advance();
    }
    this.expect(close);
    return items;
  }

  private parseStruct(typeName: string, offset: number): CelExpr {
    this.expect('{');
    const fields: FieldInit[] = [];
    while (!this.isPunct('}')) {
      const name = this.token;
      if (name.kind !== 'IDENT') this.fail('expecting IDENTIFIER');
      this.advance();
      const colon = this.expect(':');
      fields.push({ name: name.text, value: this.parseExpr(), offset: colon.offset });
      if (!this.isPunct(',')) break;
      this.advance();
    }
    this.expect('}');
    return { kind: 'struct', id: this.ids.id(), offset, typeName, fields };
  }
}
