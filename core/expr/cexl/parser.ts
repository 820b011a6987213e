import { ExpressionCompileError, type SourcePosition } from '../errors.js';
import { parseErrorAt, scanGo } from './go-scanner.js';
import { describeFound, type GoToken } from './go-token.js';
import type { GoExpr } from './syntax.js';

/** Go's binary operator precedences (go/token). */
const PRECEDENCE: ReadonlyMap<string, number> = new Map([
  ['||', 1],
  ['&&', 2],
  ['==', 3], ['!=', 3], ['<', 3], ['<=', 3], ['>', 3], ['>=', 3],
  ['+', 4], ['-', 4], ['|', 4], ['^', 4],
  ['*', 5], ['/', 5], ['%', 5], ['<<', 5], ['>>', 5], ['&', 5], ['&^', 5],
]);

const UNARY = new Set(['+', '-', '!', '^', '&', '~']);

class ParseFailure extends Error {
  constructor(
    readonly position: SourcePosition,
    readonly detail: string,
  ) {
    super(detail);
  }
}

class UnsupportedExpression extends Error {
  constructor(
    readonly position: SourcePosition,
    readonly description: string,
  ) {
    super(description);
  }
}

/**
 * Parses CEXL text with Go's expression grammar (go/parser.ParseExpr): Go precedence, Go
 * literals, Go's automatic semicolons, and Go's error messages, reported as Istio did:
 * `unable to parse expression '<text>': <line>:<col>: <message>`. Go constructs that are not
 * expressions over attributes (composite literals, slices, type assertions, function
 * literals) are rejected as `unexpected expression: ...`.
 */
export function parseGoExpression(text: string): GoExpr {
  const { tokens, problems } = scanGo(text);
  const parser = new GoExpressionParser(tokens);
  let failure: ParseFailure | undefined;
  let result: GoExpr | undefined;
  try {
    result = parser.parseWhole();
  } catch (error) {
    if (error instanceof ParseFailure) failure = error;
    else if (error instanceof UnsupportedExpression) {
      if (problems.length === 0) {
        throw new ExpressionCompileError(`unexpected expression: ${error.description}`, text, error.position);
      }
    } else throw error;
  }
  // Go reports the earliest problem, whether the scanner or the parser found it.
  const scanProblem = problems[0];
  if (scanProblem !== undefined && (failure === undefined || scanProblem.position.offset <= failure.position.offset)) {
    throw parseErrorAt(text, scanProblem.position, scanProblem.message);
  }
  if (failure !== undefined) throw parseErrorAt(text, failure.position, failure.detail);
  return result!;
}

class GoExpressionParser {
  private index = 0;

  constructor(private readonly tokens: readonly GoToken[]) {}

  private get token(): GoToken {
    return this.tokens[Math.min(this.index, this.tokens.length - 1)]!;
  }

  private next(): void {
    if (this.index < this.tokens.length - 1) this.index++;
  }

  private isOperator(text: string): boolean {
    return this.token.kind === 'OPERATOR' && this.token.text === text;
  }

  private fail(expected: string, token = this.token): never {
    throw new ParseFailure(token.position, `expected ${expected}, found ${describeFound(token)}`);
  }

  private expectOperator(text: string): SourcePosition {
    const position = this.token.position;
    if (!this.isOperator(text)) this.fail(`'${text}'`);
    this.next();
    return position;
  }

  parseWhole(): GoExpr {
    const expression = this.parseExpression();
    if (this.token.kind === 'SEMICOLON' && this.token.text === '\n') this.next();
    if (this.token.kind !== 'EOF') this.fail("'EOF'");
    return expression;
  }

  private parseExpression(): GoExpr {
    return this.parseBinary(1);
  }

  private parseBinary(minimum: number): GoExpr {
    let left = this.parseUnary();
    for (;;) {
      const token = this.token;
      if (token.kind !== 'OPERATOR') return left;
      // Go's parser reads '=' where '==' is possible, then complains it is not '=='.
      const operator = token.text === '=' ? '==' : token.text;
      const precedence = PRECEDENCE.get(operator);
      if (precedence === undefined || precedence < minimum) return left;
      if (token.text === '=') this.fail("'=='");
      this.next();
      const right = this.parseBinary(precedence + 1);
      left = { kind: 'binary', operator, left, right, position: token.position };
    }
  }

  private parseUnary(): GoExpr {
    const token = this.token;
    if (token.kind === 'OPERATOR' && UNARY.has(token.text)) {
      this.next();
      const operand = this.parseUnary();
      if (token.text === '&' || token.text === '~') throw new UnsupportedExpression(token.position, `unary '${token.text}'`);
      return { kind: 'unary', operator: token.text, operand, position: token.position };
    }
    if (token.kind === 'OPERATOR' && (token.text === '*' || token.text === '<-')) {
      this.next();
      this.parseUnary();
      throw new UnsupportedExpression(token.position, token.text === '*' ? 'pointer indirection' : 'channel receive');
    }
    return this.parsePrimary();
  }

  private parsePrimary(): GoExpr {
    let expression = this.parseOperand();
    for (;;) {
      const token = this.token;
      if (token.kind !== 'OPERATOR') return expression;
      switch (token.text) {
        case '.': {
          this.next();
          const name = this.token;
          if (name.kind === 'IDENT') {
            this.next();
            expression = { kind: 'selector', target: expression, name: name.text, position: name.position };
          } else if (this.isOperator('(')) {
            throw new UnsupportedExpression(token.position, 'type assertion');
          } else {
            this.fail('selector or type assertion');
          }
          break;
        }
        case '[':
          expression = this.parseIndex(expression);
          break;
        case '(':
          expression = this.parseCall(expression);
          break;
        case '{':
          if (expression.kind === 'ident' || expression.kind === 'selector') {
            throw new UnsupportedExpression(token.position, 'composite literal');
          }
          return expression;
        default:
          return expression;
      }
    }
  }

  private parseOperand(): GoExpr {
    const token = this.token;
    switch (token.kind) {
      case 'IDENT':
        this.next();
        return { kind: 'ident', name: token.text, position: token.position };
      case 'INT':
      case 'FLOAT':
      case 'IMAG':
      case 'CHAR':
      case 'STRING':
        this.next();
        return { kind: 'literal', token: token.kind, raw: token.text, position: token.position };
      case 'OPERATOR':
        if (token.text === '(') {
          this.next();
          const inner = this.parseExpression();
          this.expectOperator(')');
          return { kind: 'paren', expression: inner, position: token.position };
        }
        if (token.text === '[') throw new UnsupportedExpression(token.position, 'array or slice type');
        break;
      case 'KEYWORD':
        if (['func', 'map', 'chan', 'struct', 'interface'].includes(token.text)) {
          throw new UnsupportedExpression(token.position, `'${token.text}' type or literal`);
        }
        break;
      default:
        break;
    }
    this.fail('operand');
  }

  private parseIndex(target: GoExpr): GoExpr {
    const open = this.token;
    this.next();
    if (this.isOperator(':')) throw new UnsupportedExpression(open.position, 'slice expression');
    const index = this.parseExpression();
    if (this.isOperator(':')) throw new UnsupportedExpression(open.position, 'slice expression');
    if (this.isOperator(',')) throw new UnsupportedExpression(open.position, 'generic instantiation');
    this.expectOperator(']');
    return { kind: 'index', target, index, position: open.position };
  }

  private parseCall(callee: GoExpr): GoExpr {
    const open = this.token;
    this.next();
    const args: GoExpr[] = [];
    while (!this.isOperator(')') && this.token.kind !== 'EOF') {
      args.push(this.parseExpression());
      if (this.isOperator('...')) throw new UnsupportedExpression(this.token.position, 'variadic argument');
      if (this.isOperator(',')) {
        this.next();
        continue;
      }
      if (!this.isOperator(')')) {
        const newline = this.token.kind === 'SEMICOLON' && this.token.text === '\n';
        throw new ParseFailure(this.token.position, `missing ','${newline ? ' before newline' : ''} in argument list`);
      }
    }
    if (!this.isOperator(')')) this.fail("')'");
    this.next();
    return { kind: 'call', callee, args, position: open.position };
  }
}
