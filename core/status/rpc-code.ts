/** google.rpc.Code: the status codes Check results, denials and quota answers carry. */
export enum RpcCode {
  OK = 0,
  CANCELLED = 1,
  UNKNOWN = 2,
  INVALID_ARGUMENT = 3,
  DEADLINE_EXCEEDED = 4,
  NOT_FOUND = 5,
  ALREADY_EXISTS = 6,
  PERMISSION_DENIED = 7,
  RESOURCE_EXHAUSTED = 8,
  FAILED_PRECONDITION = 9,
  ABORTED = 10,
  OUT_OF_RANGE = 11,
  UNIMPLEMENTED = 12,
  INTERNAL = 13,
  UNAVAILABLE = 14,
  DATA_LOSS = 15,
  UNAUTHENTICATED = 16,
}

export function rpcCodeName(code: number): string {
  return RpcCode[code] ?? `CODE_${code}`;
}

/** Parses a code given as its number or its name (`PERMISSION_DENIED`), as config may write it. */
export function parseRpcCode(value: unknown): RpcCode | undefined {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 16) return value;
  if (typeof value === 'string') {
    const byName = (RpcCode as unknown as Record<string, number | undefined>)[value];
    if (typeof byName === 'number') return byName;
    if (/^\d+$/.test(value)) return parseRpcCode(Number(value));
  }
  return undefined;
}

const ENVOY_HTTP_STATUS: Readonly<Record<number, number>> = {
  [RpcCode.OK]: 200,
  [RpcCode.CANCELLED]: 499,
  [RpcCode.UNKNOWN]: 500,
  [RpcCode.INVALID_ARGUMENT]: 400,
  [RpcCode.DEADLINE_EXCEEDED]: 504,
  [RpcCode.NOT_FOUND]: 404,
  [RpcCode.ALREADY_EXISTS]: 409,
  [RpcCode.PERMISSION_DENIED]: 403,
  [RpcCode.RESOURCE_EXHAUSTED]: 429,
  [RpcCode.FAILED_PRECONDITION]: 400,
  [RpcCode.ABORTED]: 409,
  [RpcCode.OUT_OF_RANGE]: 400,
  [RpcCode.UNIMPLEMENTED]: 501,
  [RpcCode.INTERNAL]: 500,
  [RpcCode.UNAVAILABLE]: 503,
  [RpcCode.DATA_LOSS]: 500,
  [RpcCode.UNAUTHENTICATED]: 401,
};

/** The HTTP status a proxy answers for a final rpc code (Envoy's mapping; 500 for unknown codes). */
export function httpStatusForRpcCode(code: number): number {
  return ENVOY_HTTP_STATUS[code] ?? 500;
}

/**
 * The HTTP status Mixer itself derives for a direct response when an adapter's denial asks for
 * one without a code: Envoy's mapping except CANCELLED → 408 and FAILED_PRECONDITION → 412.
 */
export function mixerHttpStatusForRpcCode(code: RpcCode): number {
  if (code === RpcCode.CANCELLED) return 408;
  if (code === RpcCode.FAILED_PRECONDITION) return 412;
  return httpStatusForRpcCode(code);
}
