import type {
  CallExpr,
  CelExpr,
  ComprehensionExpr,
  IdentExpr,
  LiteralValue,
  ListExpr,
  MapExpr,
  SelectExpr,
  StructExpr,
} from './ast.js';
import { qualifiedName } from './ast.js';
import type { AttributeNode, AttributeTree } from './attribute-tree.js';
import { type MessageDescriptor, messageDescriptor, typeByName } from './messages.js';
import type { FunctionRegistry, Overload } from './overload.js';
import type { CelIssue } from './syntax-error.js';
import {
  BOOL,
  type Bindings,
  BYTES,
  type CelType,
  DOUBLE,
  DYN,
  ERROR,
  formatType,
  INT,
  isAssignable,
  isDynOrError,
  joinTypes,
  listOf,
  mapOf,
  NULL,
  sameType,
  STRING,
  substitute,
  typeOf,
  UINT,
} from './types.js';

/** A function overload that matches a call's argument types, with its parameters bound. */
export interface Candidate {
  readonly overload: Overload;
  /** Parameter types with the call's type-parameter bindings applied (receiver first). */
  readonly params: readonly CelType[];
  readonly result: CelType;
}

/** What a name, selection, call or construction refers to. */
export type Reference =
  | { readonly kind: 'attribute'; readonly node: AttributeNode }
  | { readonly kind: 'variable'; readonly name: string }
  | { readonly kind: 'type'; readonly type: CelType }
  | { readonly kind: 'call'; readonly candidates: readonly Candidate[] }
  | { readonly kind: 'message'; readonly descriptor: MessageDescriptor };

export interface CheckedExpression {
  readonly expr: CelExpr;
  readonly type: CelType;
  /** The static type of every node, by node id. */
  readonly types: ReadonlyMap<number, CelType>;
  readonly references: ReadonlyMap<number, Reference>;
}

export interface CheckResult {
  readonly checked: CheckedExpression;
  readonly issues: readonly CelIssue[];
}

type Scope = ReadonlyMap<string, CelType>;

/**
 * Type-checks a parsed expression against Istio's attribute tree and the function registry,
 * recording each node's type and what it refers to. Errors use cel-go's texts.
 */
export function checkCel(expr: CelExpr, tree: AttributeTree, functions: FunctionRegistry): CheckResult {
  const checker = new Checker(tree, functions);
  const type = checker.check(expr, new Map());
  return { checked: { expr, type, types: checker.types, references: checker.references }, issues: checker.issues };
}

class Checker {
  readonly types = new Map<number, CelType>();
  readonly references = new Map<number, Reference>();
  readonly issues: CelIssue[] = [];

  constructor(
    private readonly tree: AttributeTree,
    private readonly functions: FunctionRegistry,
  ) {}

  private error(offset: number, message: string): CelType {
    this.issues.push({ message, offset });
    return ERROR;
  }

  check(expr: CelExpr, scope: Scope): CelType {
    const type = this.checkNode(expr, scope);
    this.types.set(expr.id, type);
    return type;
  }

  private checkNode(expr: CelExpr, scope: Scope): CelType {
    switch (expr.kind) {
      case 'literal':
        return literalType(expr.literal);
      case 'ident':
        return this.checkIdent(expr, scope);
      case 'select':
        return this.checkSelect(expr, scope);
      case 'call':
        return this.checkCall(expr, scope);
      case 'list':
        return this.checkList(expr, scope);
      case 'map':
        return this.checkMap(expr, scope);
      case 'struct':
        return this.checkStruct(expr, scope);
      case 'comprehension':
        return this.checkComprehension(expr, scope);
    }
  }

  private checkIdent(expr: IdentExpr, scope: Scope): CelType {
    const resolved = this.resolveName(expr.name, scope);
    if (resolved === undefined) return this.error(expr.offset, `undeclared reference to '${expr.name}' (in container '')`);
    this.references.set(expr.id, resolved.reference);
    return resolved.type;
  }

  /** Local variables, then attribute roots, then type names. */
  private resolveName(name: string, scope: Scope): { type: CelType; reference: Reference } | undefined {
    const rootScoped = name.startsWith('.');
    const bare = rootScoped ? name.slice(1) : name;
    if (!rootScoped) {
      const local = scope.get(bare);
      if (local !== undefined) return { type: local, reference: { kind: 'variable', name: bare } };
    }
    const node = this.tree.root.children.get(bare);
    if (node !== undefined) return { type: node.celType, reference: { kind: 'attribute', node } };
    const type = typeByName(bare);
    if (type !== undefined) return { type: typeOf(type), reference: { kind: 'type', type } };
    return undefined;
  }

  private isDeclaredRoot(name: string, scope: Scope): boolean {
    const bare = name.startsWith('.') ? name.slice(1) : name;
    return (!name.startsWith('.') && scope.has(bare)) || this.tree.root.children.has(bare);
  }

  private checkSelect(expr: SelectExpr, scope: Scope): CelType {
    // A dotted name that is a type name (`google.protobuf.Int64Value`) when its root is not a variable.
    if (!expr.testOnly) {
      const name = qualifiedName(expr);
      if (name !== undefined && !this.isDeclaredRoot(rootName(expr), scope)) {
        const type = typeByName(name);
        if (type !== undefined) {
          this.references.set(expr.id, { kind: 'type', type });
          return typeOf(type);
        }
      }
    }
    const operand = this.check(expr.operand, scope);
    const fieldType = this.fieldType(expr, operand);
    return expr.testOnly && fieldType !== ERROR ? BOOL : fieldType;
  }

  private fieldType(expr: SelectExpr, operand: CelType): CelType {
    switch (operand.kind) {
      case 'message': {
        const node = this.tree.messageNode(operand.name);
        if (node !== undefined) {
          const child = node.children.get(expr.field);
          if (child === undefined) return this.error(expr.offset, `undefined field '${expr.field}'`);
          this.references.set(expr.id, { kind: 'attribute', node: child });
          return child.celType;
        }
        const descriptor = messageDescriptor(operand.name);
        const field = descriptor?.fields.get(expr.field);
        if (descriptor === undefined || field === undefined) return this.error(expr.offset, `undefined field '${expr.field}'`);
        this.references.set(expr.id, { kind: 'message', descriptor });
        return field;
      }
      case 'map':
        return operand.value;
      case 'dyn':
      case 'error':
      case 'param':
        return operand.kind === 'error' ? ERROR : DYN;
      default:
        return this.error(expr.offset, `type '${formatType(operand)}' does not support field selection`);
    }
  }

  private checkCall(expr: CallExpr, scope: Scope): CelType {
    const argTypes: CelType[] = [];
    if (expr.target !== undefined) argTypes.push(this.check(expr.target, scope));
    for (const arg of expr.args) argTypes.push(this.check(arg, scope));
    const receiver = expr.target !== undefined;
    const overloads = this.functions.overloads(expr.fn);
    if (overloads.length === 0) return this.error(expr.offset, `undeclared reference to '${expr.fn}' (in container '')`);
    const candidates: Candidate[] = [];
    for (const overload of overloads) {
      if (overload.receiver !== receiver || overload.params.length !== argTypes.length) continue;
      const bindings: Bindings = new Map();
      if (!argTypes.every((type, index) => isAssignable(type, overload.params[index]!, bindings))) continue;
      candidates.push({
        overload,
        params: overload.params.map((type) => substitute(type, bindings)),
        result: substitute(overload.result, bindings),
      });
    }
    if (candidates.length === 0) {
      if (argTypes.some((type) => type === ERROR)) return ERROR;
      const formatted = argTypes.map(formatType);
      const signature = receiver ? `${formatted[0]!}.(${formatted.slice(1).join(', ')})` : `(${formatted.join(', ')})`;
      return this.error(expr.offset, `found no matching overload for '${expr.fn}' applied to '${signature}'`);
    }
    this.references.set(expr.id, { kind: 'call', candidates });
    const first = candidates[0]!.result;
    return candidates.every((candidate) => sameType(candidate.result, first)) ? first : DYN;
  }

  private checkList(expr: ListExpr, scope: Scope): CelType {
    let elem: CelType | undefined;
    for (const element of expr.elements) {
      const type = this.check(element, scope);
      elem = elem === undefined ? type : joinTypes(elem, type);
    }
    return listOf(elem ?? DYN);
  }

  private checkMap(expr: MapExpr, scope: Scope): CelType {
    let key: CelType | undefined;
    let value: CelType | undefined;
    for (const entry of expr.entries) {
      const keyType = this.check(entry.key, scope);
      if (!isDynOrError(keyType) && ![STRING, INT, UINT, BOOL].includes(keyType as never)) {
        this.error(entry.key.offset, `unsupported map key type: '${formatType(keyType)}'`);
      }
      const valueType = this.check(entry.value, scope);
      key = key === undefined ? keyType : joinTypes(key, keyType);
      value = value === undefined ? valueType : joinTypes(value, valueType);
    }
    return mapOf(key ?? DYN, value ?? DYN);
  }

  private checkStruct(expr: StructExpr, scope: Scope): CelType {
    const descriptor = messageDescriptor(expr.typeName);
    const fieldTypes = expr.fields.map((field) => this.check(field.value, scope));
    if (descriptor === undefined) return this.error(expr.offset, `undeclared reference to '${expr.typeName}' (in container '')`);
    this.references.set(expr.id, { kind: 'message', descriptor });
    expr.fields.forEach((field, index) => {
      const expected = descriptor.fields.get(field.name);
      const actual = fieldTypes[index]!;
      if (expected === undefined) {
        this.error(field.offset, `undefined field '${field.name}'`);
      } else if (!isAssignable(actual, expected, new Map())) {
        this.error(
          field.offset,
          `expected type of field '${field.name}' is '${formatType(expected)}' but provided type is '${formatType(actual)}'`,
        );
      }
    });
    return descriptor.resultType;
  }

  private checkComprehension(expr: ComprehensionExpr, scope: Scope): CelType {
    const range = this.check(expr.range, scope);
    let iterType: CelType;
    switch (range.kind) {
      case 'list':
        iterType = range.elem;
        break;
      case 'map':
        iterType = range.key;
        break;
      case 'dyn':
      case 'error':
        iterType = range;
        break;
      default:
        this.error(
          expr.range.offset,
          `expression of type '${formatType(range)}' cannot be range of a comprehension (must be list, map, or dynamic)`,
        );
        iterType = ERROR;
    }
    const inner = new Map(scope);
    inner.set(expr.iterVar, iterType);
    if (expr.predicate !== undefined) {
      const predicate = this.check(expr.predicate, inner);
      if (!isAssignable(predicate, BOOL, new Map())) {
        this.error(expr.predicate.offset, `expected type 'bool' but found '${formatType(predicate)}'`);
      }
    }
    const transform = expr.transform === undefined ? undefined : this.check(expr.transform, inner);
    switch (expr.macro) {
      case 'map':
        return listOf(transform ?? DYN);
      case 'filter':
        return listOf(iterType);
      default:
        return BOOL;
    }
  }
}

/** The identifier a select chain starts from. */
function rootName(expr: CelExpr): string {
  let node = expr;
  while (node.kind === 'select') node = node.operand;
  return node.kind === 'ident' ? node.name : '';
}

function literalType(literal: LiteralValue): CelType {
  switch (literal.type) {
    case 'int':
      return INT;
    case 'uint':
      return UINT;
    case 'double':
      return DOUBLE;
    case 'string':
      return STRING;
    case 'bytes':
      return BYTES;
    case 'bool':
      return BOOL;
    case 'null':
      return NULL;
  }
}
