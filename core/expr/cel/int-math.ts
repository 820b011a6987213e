import { type Int64, normalizeInt64 } from '../../attribute/value.js';
import { MAX_INT64, MAX_UINT64, MIN_INT64 } from './literals.js';
import { fail } from './runtime-error.js';

/**
 * CEL's 64-bit integer arithmetic on the Int64 form (a number while safe, else a bigint):
 * overflow is an error, never a wrap. The number fast paths are exact: a result that is a safe
 * integer after float arithmetic on safe operands is the true result.
 */
function checkedInt(value: bigint): Int64 {
  if (value > MAX_INT64 || value < MIN_INT64) fail('integer overflow');
  return normalizeInt64(value);
}

function checkedUint(value: bigint): Int64 {
  if (value > MAX_UINT64 || value < 0n) fail('unsigned integer overflow');
  return normalizeInt64(value);
}

export function addInt(a: Int64, b: Int64): Int64 {
  if (typeof a === 'number' && typeof b === 'number') {
    const sum = a + b;
    if (Number.isSafeInteger(sum)) return sum;
  }
  return checkedInt(BigInt(a) + BigInt(b));
}

export function subtractInt(a: Int64, b: Int64): Int64 {
  if (typeof a === 'number' && typeof b === 'number') {
    const difference = a - b;
    if (Number.isSafeInteger(difference)) return difference;
  }
  return checkedInt(BigInt(a) - BigInt(b));
}

export function multiplyInt(a: Int64, b: Int64): Int64 {
  if (typeof a === 'number' && typeof b === 'number') {
    const product = a * b;
    if (Number.isSafeInteger(product)) return product === 0 ? 0 : product;
  }
  return checkedInt(BigInt(a) * BigInt(b));
}

export function divideInt(a: Int64, b: Int64): Int64 {
  if (b === 0) fail('divide by zero');
  if (typeof a === 'number' && typeof b === 'number') {
    const quotient = (a - (a % b)) / b;
    return quotient === 0 ? 0 : quotient;
  }
  return checkedInt(BigInt(a) / BigInt(b));
}

export function moduloInt(a: Int64, b: Int64): Int64 {
  if (b === 0) fail('modulus by zero');
  if (typeof a === 'number' && typeof b === 'number') {
    const remainder = a % b;
    return remainder === 0 ? 0 : remainder;
  }
  return normalizeInt64(BigInt(a) % BigInt(b));
}

export function negateInt(a: Int64): Int64 {
  if (typeof a === 'number') return a === 0 ? 0 : -a;
  return checkedInt(-a);
}

export function addUint(a: Int64, b: Int64): Int64 {
  if (typeof a === 'number' && typeof b === 'number') {
    const sum = a + b;
    if (Number.isSafeInteger(sum)) return sum;
  }
  return checkedUint(BigInt(a) + BigInt(b));
}

export function subtractUint(a: Int64, b: Int64): Int64 {
  if (typeof a === 'number' && typeof b === 'number') {
    const difference = a - b;
    if (difference < 0) fail('unsigned integer overflow');
    return difference;
  }
  return checkedUint(BigInt(a) - BigInt(b));
}

export function multiplyUint(a: Int64, b: Int64): Int64 {
  if (typeof a === 'number' && typeof b === 'number') {
    const product = a * b;
    if (Number.isSafeInteger(product)) return product;
  }
  return checkedUint(BigInt(a) * BigInt(b));
}

export function divideUint(a: Int64, b: Int64): Int64 {
  if (b === 0) fail('divide by zero');
  if (typeof a === 'number' && typeof b === 'number') return (a - (a % b)) / b;
  return normalizeInt64(BigInt(a) / BigInt(b));
}

export function moduloUint(a: Int64, b: Int64): Int64 {
  if (b === 0) fail('modulus by zero');
  if (typeof a === 'number' && typeof b === 'number') return a % b;
  return normalizeInt64(BigInt(a) % BigInt(b));
}

const TWO_63 = 2 ** 63;
const TWO_64 = 2 ** 64;

/** int(double): truncation toward zero; out of the int64 range is an error. */
export function doubleToInt(value: number): Int64 {
  if (!Number.isFinite(value)) fail('range error converting double to int');
  const truncated = Math.trunc(value);
  if (truncated >= TWO_63 || truncated < -TWO_63) fail('range error converting double to int');
  return Number.isSafeInteger(truncated) ? (truncated === 0 ? 0 : truncated) : normalizeInt64(BigInt(truncated));
}

export function doubleToUint(value: number): Int64 {
  if (!Number.isFinite(value)) fail('range error converting double to uint');
  const truncated = Math.trunc(value);
  if (truncated >= TWO_64 || truncated < 0) fail('range error converting double to uint');
  return Number.isSafeInteger(truncated) ? (truncated === 0 ? 0 : truncated) : normalizeInt64(BigInt(truncated));
}

export function intToUint(value: Int64): Int64 {
  if (value < 0) fail('range error converting int to uint');
  return value;
}

export function uintToInt(value: Int64): Int64 {
  if (typeof value === 'bigint' && value > MAX_INT64) fail('range error converting uint to int');
  return value;
}

const INT_TEXT = /^[+-]?\d+$/;
const UINT_TEXT = /^\+?\d+$/;

/** strconv.ParseInt(s, 10, 64). */
export function parseIntText(text: string): Int64 {
  if (!INT_TEXT.test(text)) fail(`cannot convert string '${text}' to int`);
  const value = BigInt(text);
  if (value > MAX_INT64 || value < MIN_INT64) fail(`cannot convert string '${text}' to int: value out of range`);
  return normalizeInt64(value);
}

/** strconv.ParseUint(s, 10, 64). */
export function parseUintText(text: string): Int64 {
  if (!UINT_TEXT.test(text)) fail(`cannot convert string '${text}' to uint`);
  const value = BigInt(text);
  if (value > MAX_UINT64) fail(`cannot convert string '${text}' to uint: value out of range`);
  return normalizeInt64(value);
}

const FLOAT_TEXT = /^[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?)$/;
const SPECIAL_FLOATS: ReadonlyMap<string, number> = new Map([
  ['inf', Infinity],
  ['+inf', Infinity],
  ['-inf', -Infinity],
  ['infinity', Infinity],
  ['+infinity', Infinity],
  ['-infinity', -Infinity],
  ['nan', NaN],
]);

/** strconv.ParseFloat(s, 64) for decimal forms and the special values. */
export function parseDoubleText(text: string): number {
  const special = SPECIAL_FLOATS.get(text.toLowerCase());
  if (special !== undefined) return special;
  if (!FLOAT_TEXT.test(text)) fail(`cannot convert string '${text}' to double`);
  return Number(text);
}
