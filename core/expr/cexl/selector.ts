import { ValueType } from '../../attribute/value-type.js';
import { ExpressionLanguage, type ExpressionSelector, type SelectorValue } from '../expression.js';
import type { CexlCodeGenerator } from './code-generator.js';
import type { CexlExpr } from './istio-ast.js';
import type { CexlTypeChecker } from './type-checker.js';

/**
 * The types whose `==` the code generator compiles to `===` (identity equality), each with the
 * representation its constants have. DOUBLE is left out (`===` is not Map equality for NaN), and
 * so are DNS names, e-mails, URIs and IPs, which compare semantically.
 */
const INDEXABLE: ReadonlyMap<ValueType, (value: unknown) => boolean> = new Map<ValueType, (value: unknown) => boolean>([
  [ValueType.STRING, (value) => typeof value === 'string'],
  [ValueType.INT64, (value) => typeof value === 'number' || typeof value === 'bigint'],
  [ValueType.BOOL, (value) => typeof value === 'boolean'],
]);

/**
 * The selector of a type-checked BOOL expression (see ExpressionSelector), or undefined when it
 * has no such shape. The leftmost operand of a `&&` chain is evaluated first and, when false,
 * ends the evaluation (`left(bag) && right(bag)`); an `||` of `E == v` terms is false, reading
 * only E, when E is none of the values.
 */
export function cexlSelector(root: CexlExpr, checker: CexlTypeChecker, generator: CexlCodeGenerator): ExpressionSelector | undefined {
  let first = root;
  while (first.kind === 'function' && first.name === 'LAND') first = first.args[0]!;
  const terms: CexlExpr[] = [];
  disjuncts(first, terms);
  let operand: CexlExpr | undefined;
  let form: string | undefined;
  const values: SelectorValue[] = [];
  for (const term of terms) {
    if (term.kind !== 'function' || term.name !== 'EQ' || term.target !== undefined) return undefined;
    const [left, right] = term.args;
    if (left === undefined || right === undefined || right.kind !== 'constant') return undefined;
    const type = checker.typeOf(left);
    if (right.type !== type || INDEXABLE.get(type)?.(right.value) !== true) return undefined;
    const termForm = exactForm(left);
    if (form === undefined) {
      form = termForm;
      operand = left;
    } else if (termForm !== form) {
      return undefined;
    }
    values.push(right.value as SelectorValue);
  }
  if (operand === undefined) return undefined;
  return { key: `${ExpressionLanguage.CEXL} ${form!}`, operand: generator.strict(operand), values: Object.freeze(values) };
}

function disjuncts(node: CexlExpr, out: CexlExpr[]): void {
  if (node.kind === 'function' && node.name === 'LOR') {
    disjuncts(node.args[0]!, out);
    disjuncts(node.args[1]!, out);
  } else {
    out.push(node);
  }
}

/** An unambiguous text of a node: equal texts compile to the same evaluation (over one manifest). */
function exactForm(node: CexlExpr): string {
  switch (node.kind) {
    case 'constant':
      return `${node.type}:${JSON.stringify(node.text)}`;
    case 'variable':
      return `$${node.name}`;
    case 'function':
      return `${node.name}(${node.target === undefined ? '' : `${exactForm(node.target)};`}${node.args.map(exactForm).join(',')})`;
  }
}
