import type { Duration } from '../../attribute/duration.js';
import type { Timestamp } from '../../attribute/timestamp.js';
import type { Int64 } from '../../attribute/value.js';
import { Operators } from './ast.js';
import {
  addInt,
  addUint,
  divideInt,
  divideUint,
  moduloInt,
  moduloUint,
  multiplyInt,
  multiplyUint,
  negateInt,
  subtractInt,
  subtractUint,
} from './int-math.js';
import { global, impl1, impl2, type Impl, type Overload } from './overload.js';
import { compareBytes, compareStrings } from './text.js';
import {
  addDurations,
  addTimestampDuration,
  subtractDurations,
  subtractTimestampDuration,
  subtractTimestamps,
} from './time-math.js';
import { BOOL, BYTES, type CelType, DOUBLE, DURATION, INT, listOf, param, STRING, TIMESTAMP, UINT } from './types.js';

/** A three-way comparison; NaN when the operands are unordered (a NaN double). */
export type Compare = (a: unknown, b: unknown) => number;

/** Works for every pairing of int, uint and double in plain form (numbers and bigints compare exactly). */
export const compareNumbers: Compare = (a, b) => {
  const x = a as number | bigint;
  const y = b as number | bigint;
  return x < y ? -1 : x > y ? 1 : x === y || !(Number.isNaN(x) || Number.isNaN(y)) ? 0 : NaN;
};

const RELATION_TYPES: readonly (readonly [string, CelType, CelType, Compare])[] = [
  ['int64', INT, INT, compareNumbers],
  ['uint64', UINT, UINT, compareNumbers],
  ['double', DOUBLE, DOUBLE, compareNumbers],
  ['string', STRING, STRING, (a, b) => compareStrings(a as string, b as string)],
  ['bytes', BYTES, BYTES, (a, b) => compareBytes(a as Uint8Array, b as Uint8Array)],
  ['bool', BOOL, BOOL, (a, b) => Number(a) - Number(b)],
  ['timestamp', TIMESTAMP, TIMESTAMP, (a, b) => (a as Timestamp).compare(b as Timestamp)],
  ['duration', DURATION, DURATION, (a, b) => (a as Duration).compare(b as Duration)],
  ['int64_double', INT, DOUBLE, compareNumbers],
  ['double_int64', DOUBLE, INT, compareNumbers],
  ['int64_uint64', INT, UINT, compareNumbers],
  ['uint64_int64', UINT, INT, compareNumbers],
  ['uint64_double', UINT, DOUBLE, compareNumbers],
  ['double_uint64', DOUBLE, UINT, compareNumbers],
];

const RELATIONS: readonly (readonly [string, string, (order: number) => boolean])[] = [
  [Operators.LESS, 'less', (order) => order < 0],
  [Operators.LESS_EQUALS, 'less_equals', (order) => order <= 0],
  [Operators.GREATER, 'greater', (order) => order > 0],
  [Operators.GREATER_EQUALS, 'greater_equals', (order) => order >= 0],
];

function relationOverloads(): Overload[] {
  const out: Overload[] = [];
  for (const [fn, name, test] of RELATIONS) {
    for (const [suffix, left, right, compare] of RELATION_TYPES) {
      out.push(global(`${name}_${suffix}`, fn, [left, right], BOOL, impl2((a, b) => test(compare(a, b)))));
    }
  }
  return out;
}

function binary<T>(id: string, fn: string, type: CelType, f: (a: T, b: T) => unknown, result: CelType = type): Overload {
  return global(id, fn, [type, type], result, impl2(f));
}

const A = param('A');

function arithmeticOverloads(): Overload[] {
  return [
    binary<Int64>('add_int64', Operators.ADD, INT, addInt),
    binary<Int64>('add_uint64', Operators.ADD, UINT, addUint),
    binary<number>('add_double', Operators.ADD, DOUBLE, (a, b) => a + b),
    binary<string>('add_string', Operators.ADD, STRING, (a, b) => a + b),
    binary<Uint8Array>('add_bytes', Operators.ADD, BYTES, (a, b) => concatBytes(a, b)),
    global('add_list', Operators.ADD, [listOf(A), listOf(A)], listOf(A), impl2<unknown[], unknown[]>((a, b) => a.concat(b))),
    global('add_timestamp_duration', Operators.ADD, [TIMESTAMP, DURATION], TIMESTAMP, impl2(addTimestampDuration)),
    global('add_duration_timestamp', Operators.ADD, [DURATION, TIMESTAMP], TIMESTAMP, impl2<Duration, Timestamp>((d, t) => addTimestampDuration(t, d))),
    binary<Duration>('add_duration_duration', Operators.ADD, DURATION, addDurations),
    binary<Int64>('subtract_int64', Operators.SUBTRACT, INT, subtractInt),
    binary<Int64>('subtract_uint64', Operators.SUBTRACT, UINT, subtractUint),
    binary<number>('subtract_double', Operators.SUBTRACT, DOUBLE, (a, b) => a - b),
    binary<Timestamp>('subtract_timestamp_timestamp', Operators.SUBTRACT, TIMESTAMP, subtractTimestamps, DURATION),
    global('subtract_timestamp_duration', Operators.SUBTRACT, [TIMESTAMP, DURATION], TIMESTAMP, impl2(subtractTimestampDuration)),
    binary<Duration>('subtract_duration_duration', Operators.SUBTRACT, DURATION, subtractDurations),
    binary<Int64>('multiply_int64', Operators.MULTIPLY, INT, multiplyInt),
    binary<Int64>('multiply_uint64', Operators.MULTIPLY, UINT, multiplyUint),
    binary<number>('multiply_double', Operators.MULTIPLY, DOUBLE, (a, b) => a * b),
    binary<Int64>('divide_int64', Operators.DIVIDE, INT, divideInt),
    binary<Int64>('divide_uint64', Operators.DIVIDE, UINT, divideUint),
    binary<number>('divide_double', Operators.DIVIDE, DOUBLE, (a, b) => a / b),
    binary<Int64>('modulo_int64', Operators.MODULO, INT, moduloInt),
    binary<Int64>('modulo_uint64', Operators.MODULO, UINT, moduloUint),
    global('negate_int64', Operators.NEGATE, [INT], INT, impl1(negateInt)),
    global('negate_double', Operators.NEGATE, [DOUBLE], DOUBLE, impl1<number>((a) => -a)),
    global('logical_not', Operators.LOGICAL_NOT, [BOOL], BOOL, impl1<boolean>((a) => !a)),
  ];
}

function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** Relations, arithmetic, negation and logical not. */
export function operatorOverloads(): Overload[] {
  return [...relationOverloads(), ...arithmeticOverloads()];
}

/** An implementation that must never run: the compiler handles this operator itself. */
export const compiledInline: Impl = () => {
  throw new Error('internal error: operator implemented inline was called as a function');
};
