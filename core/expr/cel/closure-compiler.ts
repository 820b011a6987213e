import { normalizeInt64 } from '../../attribute/value.js';
import { StringMap } from '../../attribute/string-map.js';
import type {
  CelExpr,
  ComprehensionExpr,
  IdentExpr,
  LiteralValue,
  ListExpr,
  MapExpr,
  SelectExpr,
  StructExpr,
} from './ast.js';
import {
  attributePresence,
  attributeReader,
  dynamicPresence,
  dynamicSelect,
  mapContains,
  mapLookup,
  messagePresence,
} from './attribute-access.js';
import type { AttributeNode } from './attribute-tree.js';
import { compileCall } from './call-compiler.js';
import type { CheckedExpression, Reference } from './checker.js';
import { type Compiled, constantNode, converted, dynamicNode, type Eval, FOLDING_BAG, NO_ERROR, rethrow } from './compiled.js';
import { messageFieldDefault, typeValueName } from './messages.js';
import { converter, fromDyn, toDyn } from './representation.js';
import { fail } from './runtime-error.js';
import { BOOL, type CelType, DYN, formatType } from './types.js';
import { AttributeNodeValue, CelMap, type CelMessage, CelTypeValue } from './values.js';

type Scope = ReadonlyMap<string, number>;

/**
 * Turns a checked expression into closures, once. Constant subexpressions are folded;
 * comprehension variables live in numbered slots of a per-evaluation array.
 */
export class ClosureCompiler {
  private slotCount = 0;

  constructor(private readonly checked: CheckedExpression) {}

  /** How many variable slots an evaluation needs. */
  get slots(): number {
    return this.slotCount;
  }

  compileRoot(): Compiled {
    return this.compile(this.checked.expr, new Map());
  }

  private typeOf(expr: CelExpr): CelType {
    return this.checked.types.get(expr.id) ?? DYN;
  }

  private reference(expr: CelExpr): Reference | undefined {
    return this.checked.references.get(expr.id);
  }

  private compile(expr: CelExpr, scope: Scope): Compiled {
    switch (expr.kind) {
      case 'literal':
        return constantNode(literalValue(expr.literal));
      case 'ident':
        return this.compileIdent(expr, scope);
      case 'select':
        return this.compileSelect(expr, scope);
      case 'call': {
        const children = [...(expr.target === undefined ? [] : [expr.target]), ...expr.args];
        const args = children.map((child) => this.compile(child, scope));
        const reference = this.reference(expr);
        if (reference?.kind !== 'call') return internal(`unresolved call to ${expr.fn}`);
        const compiled = compileCall(expr, reference.candidates, args, children.map((child) => this.typeOf(child)), this.typeOf(expr));
        return fold(compiled, args);
      }
      case 'list':
        return this.compileList(expr, scope);
      case 'map':
        return this.compileMap(expr, scope);
      case 'struct':
        return this.compileStruct(expr, scope);
      case 'comprehension':
        return this.compileComprehension(expr, scope);
    }
  }

  private compileIdent(expr: IdentExpr, scope: Scope): Compiled {
    const reference = this.reference(expr);
    if (reference?.kind === 'variable') {
      const slot = scope.get(reference.name);
      if (slot === undefined) return internal(`unbound variable ${reference.name}`);
      return dynamicNode((_bag, vars) => vars[slot], false, false);
    }
    if (reference?.kind === 'attribute') return attributeNode(reference.node);
    if (reference?.kind === 'type') return constantNode(CelTypeValue.of(typeValueName(reference.type)));
    return internal(`unresolved name ${expr.name}`);
  }

  /** The attribute node a pure attribute path (`a.b.c`) refers to. */
  private attributePath(expr: CelExpr): AttributeNode | undefined {
    if (expr.kind !== 'ident' && (expr.kind !== 'select' || expr.testOnly)) return undefined;
    if (expr.kind === 'select' && this.attributePath(expr.operand) === undefined) return undefined;
    const reference = this.reference(expr);
    return reference?.kind === 'attribute' ? reference.node : undefined;
  }

  private compileSelect(expr: SelectExpr, scope: Scope): Compiled {
    const reference = this.reference(expr);
    if (reference?.kind === 'type') return constantNode(CelTypeValue.of(typeValueName(reference.type)));
    const field = expr.field;
    if (reference?.kind === 'attribute') {
      const child = reference.node;
      if (this.attributePath(expr.operand) !== undefined) {
        if (expr.testOnly) return child.isLeaf ? dynamicNode(attributePresence(child), true, false) : constantNode(true);
        return attributeNode(child);
      }
      const operand = this.compile(expr.operand, scope).eval;
      if (expr.testOnly) {
        const present = attributePresence(child);
        return dynamicNode((bag, vars) => present((operand(bag, vars) as AttributeNodeValue).bag), true);
      }
      const read = child.isLeaf ? attributeReader(child) : (bag: AttributeNodeValue['bag']) => new AttributeNodeValue(child, bag);
      return dynamicNode((bag, vars) => read((operand(bag, vars) as AttributeNodeValue).bag), true);
    }
    const operand = this.compile(expr.operand, scope);
    const evaluate = operand.eval;
    const operandType = this.typeOf(expr.operand);
    let select: Eval;
    let readsBag = operand.readsBag;
    if (reference?.kind === 'message') {
      const descriptor = reference.descriptor;
      select = expr.testOnly
        ? (bag, vars) => messagePresence(evaluate(bag, vars) as CelMessage, field)
        : (bag, vars) => (evaluate(bag, vars) as CelMessage).fields.get(field) ?? messageFieldDefault(descriptor, field);
    } else if (operandType.kind === 'map') {
      select = expr.testOnly
        ? (bag, vars) => mapContains(evaluate(bag, vars), field, bag)
        : (bag, vars) => mapLookup(evaluate(bag, vars), field, bag);
    } else if (operandType.kind === 'dyn' || operandType.kind === 'param' || operandType.kind === 'error') {
      select = expr.testOnly
        ? (bag, vars) => dynamicPresence(evaluate(bag, vars), field, bag)
        : (bag, vars) => dynamicSelect(evaluate(bag, vars), field, bag);
      // A dyn value may be an attribute message, whose fields are read from the bag.
      readsBag = true;
    } else {
      return internal(`select on ${formatType(operandType)}`);
    }
    return fold(dynamicNode(select, readsBag), [operand]);
  }

  private compileList(expr: ListExpr, scope: Scope): Compiled {
    const type = this.typeOf(expr);
    const elemType = type.kind === 'list' ? type.elem : DYN;
    const elements = expr.elements.map((element) => this.compile(element, scope));
    const evals = elements.map((element, index) => converted(element.eval, converter(this.typeOf(expr.elements[index]!), elemType)));
    const count = evals.length;
    const evaluate: Eval = (bag, vars) => {
      const out = new Array<unknown>(count);
      for (let index = 0; index < count; index++) out[index] = evals[index]!(bag, vars);
      return out;
    };
    return fold(dynamicNode(evaluate, elements.some((element) => element.readsBag), elements.some((element) => element.mayFail)), elements);
  }

  private compileMap(expr: MapExpr, scope: Scope): Compiled {
    const type = this.typeOf(expr);
    const valueType = type.kind === 'map' ? type.value : DYN;
    const keys = expr.entries.map((entry) => this.compile(entry.key, scope));
    const values = expr.entries.map((entry) => this.compile(entry.value, scope));
    const keyEvals = keys.map((key, index) => converted(key.eval, toDyn(this.typeOf(expr.entries[index]!.key))));
    const valueEvals = values.map((value, index) => converted(value.eval, converter(this.typeOf(expr.entries[index]!.value), valueType)));
    const evaluate: Eval = (bag, vars) => {
      const entries = new Array<readonly [unknown, unknown]>(keyEvals.length);
      for (let index = 0; index < keyEvals.length; index++) entries[index] = [keyEvals[index]!(bag, vars), valueEvals[index]!(bag, vars)];
      return new CelMap(entries);
    };
    const children = [...keys, ...values];
    return fold(dynamicNode(evaluate, children.some((child) => child.readsBag)), children);
  }

  private compileStruct(expr: StructExpr, scope: Scope): Compiled {
    const reference = this.reference(expr);
    if (reference?.kind !== 'message') return internal(`unresolved message ${expr.typeName}`);
    const descriptor = reference.descriptor;
    const fields = expr.fields.map((field) => this.compile(field.value, scope));
    const evals = fields.map((field, index) => {
      const init = expr.fields[index]!;
      return converted(field.eval, converter(this.typeOf(init.value), descriptor.fields.get(init.name) ?? DYN));
    });
    const names = expr.fields.map((field) => field.name);
    const evaluate: Eval = (bag, vars) => {
      const values = new Map<string, unknown>();
      for (let index = 0; index < evals.length; index++) values.set(names[index]!, evals[index]!(bag, vars));
      return descriptor.construct(values);
    };
    return fold(dynamicNode(evaluate, fields.some((field) => field.readsBag)), fields);
  }

  private compileComprehension(expr: ComprehensionExpr, scope: Scope): Compiled {
    const range = this.compile(expr.range, scope);
    const rangeType = this.typeOf(expr.range);
    const items = rangeItems(range.eval, rangeType);
    const slot = this.slotCount++;
    const inner = new Map(scope);
    inner.set(expr.iterVar, slot);
    const predicateNode = expr.predicate === undefined ? undefined : this.compile(expr.predicate, inner);
    const predicate = predicateNode === undefined ? undefined : converted(predicateNode.eval, converter(this.typeOf(expr.predicate!), BOOL));
    const transformNode = expr.transform === undefined ? undefined : this.compile(expr.transform, inner);
    const transform = transformNode?.eval;
    const evaluate = comprehensionEval(expr.macro, items, slot, predicate, transform);
    const bodyReadsBag = (predicateNode?.readsBag ?? false) || (transformNode?.readsBag ?? false);
    const compiled = dynamicNode(evaluate, range.readsBag || bodyReadsBag);
    return range.constant && !bodyReadsBag ? fold(compiled, [range]) : compiled;
  }
}

function internal(message: string): never {
  throw new Error(`internal error in the CEL compiler: ${message}`);
}

function attributeNode(node: AttributeNode): Compiled {
  if (node.isLeaf) return { ...dynamicNode(attributeReader(node), true, false), attribute: node };
  // A message value reads nothing itself, but carries the bag for reads through it.
  return dynamicNode((bag) => new AttributeNodeValue(node, bag), true, false);
}

/** Evaluates a node now when all its inputs are constants (an error leaves it to run time). */
function fold(compiled: Compiled, children: readonly Compiled[]): Compiled {
  if (compiled.constant || !children.every((child) => child.constant)) return compiled;
  try {
    return constantNode(compiled.eval(FOLDING_BAG, []));
  } catch {
    return compiled;
  }
}

function literalValue(literal: LiteralValue): unknown {
  switch (literal.type) {
    case 'int':
    case 'uint':
      return normalizeInt64(literal.value);
    case 'null':
      return null;
    default:
      return literal.value;
  }
}

/** The values a comprehension iterates: list elements, or map keys (in the iteration variable's form). */
function rangeItems(range: Eval, rangeType: CelType): Eval {
  const keyForm = rangeType.kind === 'map' ? fromDyn(rangeType.key) : undefined;
  return (bag, vars) => {
    const value = range(bag, vars);
    if (Array.isArray(value)) return value as unknown[];
    if (value instanceof CelMap) return keyForm === undefined ? value.keys() : value.keys().map((key) => keyForm(key));
    if (value instanceof StringMap) return fail('stringmap does not support iteration');
    return fail('expression cannot be range of a comprehension (must be list or map)');
  };
}

function comprehensionEval(
  macro: ComprehensionExpr['macro'],
  items: Eval,
  slot: number,
  predicate: Eval | undefined,
  transform: Eval | undefined,
): Eval {
  switch (macro) {
    case 'all':
    case 'exists': {
      const decisive = macro === 'exists';
      return (bag, vars) => {
        const list = items(bag, vars) as readonly unknown[];
        let failure: unknown = NO_ERROR;
        for (const item of list) {
          vars[slot] = item;
          try {
            if (predicate!(bag, vars) === decisive) return decisive;
          } catch (error) {
            if (failure === NO_ERROR) failure = error;
          }
        }
        if (failure !== NO_ERROR) rethrow(failure);
        return !decisive;
      };
    }
    case 'exists_one':
      return (bag, vars) => {
        let count = 0;
        for (const item of items(bag, vars) as readonly unknown[]) {
          vars[slot] = item;
          if (predicate!(bag, vars) === true) count++;
        }
        return count === 1;
      };
    case 'filter':
      return (bag, vars) => {
        const out: unknown[] = [];
        for (const item of items(bag, vars) as readonly unknown[]) {
          vars[slot] = item;
          if (predicate!(bag, vars) === true) out.push(item);
        }
        return out;
      };
    case 'map':
      return (bag, vars) => {
        const out: unknown[] = [];
        for (const item of items(bag, vars) as readonly unknown[]) {
          vars[slot] = item;
          if (predicate === undefined || predicate(bag, vars) === true) out.push(transform!(bag, vars));
        }
        return out;
      };
  }
}
