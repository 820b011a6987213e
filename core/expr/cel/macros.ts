import { type CallExpr, type CelExpr, type ComprehensionMacro, type IdGenerator, Operators } from './ast.js';
import { CelSyntaxError } from './syntax-error.js';

/**
 * Macro expansion, applied as calls are built (by the parser, and by the COMPAT translator):
 * CEL's `has`, `all`, `exists`, `exists_one`, `map`, `filter`, and Istio's `conditional(c, a, b)`
 * (→ ternary) and `pick(a1, ..., default)` (→ a chain of presence tests). A call that is not a
 * macro (wrong name, arity or call style) is returned as an ordinary call.
 */
export function expandCall(ids: IdGenerator, call: CallExpr): CelExpr {
  const { fn, target, args, offset } = call;
  if (target === undefined) {
    if (fn === 'has' && args.length === 1) return expandHas(args[0]!, offset);
    if (fn === 'conditional' && args.length === 3) {
      return { kind: 'call', id: call.id, offset, fn: Operators.CONDITIONAL, target: undefined, args };
    }
    if (fn === 'pick' && args.length > 0) return expandPick(ids, args, offset);
    return call;
  }
  const macro = comprehensionMacro(fn, args.length);
  if (macro === undefined) return call;
  const iterVar = args[0]!;
  if (iterVar.kind !== 'ident') throw new CelSyntaxError('argument must be a simple name', iterVar.offset);
  const predicate = macro === 'map' ? (args.length === 3 ? args[1] : undefined) : args[1];
  const transform = macro === 'map' ? args[args.length - 1] : undefined;
  return { kind: 'comprehension', id: call.id, offset, macro, iterVar: iterVar.name, range: target, predicate, transform };
}

function comprehensionMacro(fn: string, arity: number): ComprehensionMacro | undefined {
  switch (fn) {
    case 'all':
    case 'exists':
    case 'exists_one':
    case 'filter':
      return arity === 2 ? fn : undefined;
    case 'map':
      return arity === 2 || arity === 3 ? 'map' : undefined;
    default:
      return undefined;
  }
}

function expandHas(arg: CelExpr, offset: number): CelExpr {
  if (arg.kind !== 'select' || arg.testOnly) throw new CelSyntaxError('invalid argument to has() macro', offset);
  return { ...arg, testOnly: true };
}

/**
 * `pick(a1, ..., an)`, right to left: `p.f` ⇒ `has(p.f) ? p.f : rest`, `m[k]` ⇒
 * `k in m ? m[k] : rest`, anything else replaces the rest (it is always "present").
 */
function expandPick(ids: IdGenerator, args: readonly CelExpr[], offset: number): CelExpr {
  let out = args[args.length - 1]!;
  for (let index = args.length - 2; index >= 0; index--) {
    const arg = args[index]!;
    let selector: CelExpr | undefined;
    if (arg.kind === 'select') {
      if (arg.testOnly) throw new CelSyntaxError('unsupported use of has() macro in pick()', arg.offset);
      selector = { ...arg, id: ids.id(), testOnly: true };
    } else if (arg.kind === 'call' && arg.fn === Operators.INDEX && arg.target === undefined && arg.args.length === 2) {
      selector = { kind: 'call', id: ids.id(), offset: arg.offset, fn: Operators.IN, target: undefined, args: [arg.args[1]!, arg.args[0]!] };
    }
    out =
      selector === undefined
        ? arg
        : { kind: 'call', id: ids.id(), offset, fn: Operators.CONDITIONAL, target: undefined, args: [selector, arg, out] };
  }
  return out;
}
