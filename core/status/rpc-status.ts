import { RpcCode, rpcCodeName } from './rpc-code.js';

/**
 * A direct HTTP reply an adapter's denial may ask for (istio.policy.v1beta1.DirectHttpResponse):
 * the proxy answers with it instead of forwarding.
 */
export interface DirectHttpResponse {
  /** HTTP status; 0 means "derive it from the rpc code". */
  readonly code: number;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** google.rpc.Status as Mixer uses it: a code, a message and optional details. */
export interface RpcStatus {
  readonly code: RpcCode;
  readonly message: string;
  readonly directResponse?: DirectHttpResponse;
}

export const OK_STATUS: RpcStatus = Object.freeze({ code: RpcCode.OK, message: '' });

export function rpcStatus(code: RpcCode, message = ''): RpcStatus {
  return code === RpcCode.OK && message === '' ? OK_STATUS : { code, message };
}

export function isOk(status: RpcStatus): boolean {
  return status.code === RpcCode.OK;
}

/** `PERMISSION_DENIED: reason` (or just the code name when there is no message). */
export function describeStatus(status: RpcStatus): string {
  return status.message === '' ? rpcCodeName(status.code) : `${rpcCodeName(status.code)}: ${status.message}`;
}
