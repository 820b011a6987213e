import { IpAddress } from '../../core/attribute/ip-address.js';
import { RpcCode } from '../../core/status/rpc-code.js';
import { OK_STATUS, rpcStatus } from '../../core/status/rpc-status.js';
import type { ListEntryInstance } from '../../templates/definitions.js';
import type { CheckResult } from '../../templates/handler-contract.js';
import type { HandlerFor } from '../sdk/adapter-info.js';
import { describeValue } from './describe-value.js';
import type { ListState } from './list-state.js';
import type { ListCheckerParams } from './params.js';

/**
 * Checks listentry values against the current list. Strings are looked up as they are, IP
 * addresses as their text; anything else is INVALID_ARGUMENT. A whitelist denies values not
 * found, a blacklist values found (PERMISSION_DENIED). Every answer carries cachingInterval and
 * cachingUseCount; with no list loaded the answer is UNAVAILABLE (not cacheable) naming why.
 */
export class ListCheckerHandler implements HandlerFor<'listentry'> {
  private readonly validDurationMs: number;
  private readonly allowed: CheckResult;

  constructor(
    private readonly params: ListCheckerParams,
    private readonly state: ListState,
  ) {
    this.validDurationMs = params.cachingInterval.toMillis();
    this.allowed = Object.freeze({ status: OK_STATUS, validDurationMs: this.validDurationMs, validUseCount: params.cachingUseCount });
  }

  handleListEntry(instance: ListEntryInstance): CheckResult {
    const list = this.state.current;
    if (list === undefined) {
      return { status: rpcStatus(RpcCode.UNAVAILABLE, `no list available: ${this.state.unavailableReason}`), validDurationMs: 0, validUseCount: 0 };
    }
    const value = valueText(instance.value);
    if (value === undefined) {
      return this.result(RpcCode.INVALID_ARGUMENT, `${describeValue(instance.value)} is not a valid string or IP address`);
    }
    const lookup = list.lookup(value);
    if (!lookup.ok) return this.result(RpcCode.INVALID_ARGUMENT, lookup.message);
    if (this.params.blacklist) {
      return lookup.found ? this.result(RpcCode.PERMISSION_DENIED, `${value} is blacklisted`) : this.allowed;
    }
    return lookup.found ? this.allowed : this.result(RpcCode.PERMISSION_DENIED, `${value} is not whitelisted`);
  }

  /** Resolves when no list refresh is running (for tests and readiness checks). */
  settled(): Promise<void> {
    return this.state.settled();
  }

  private result(code: RpcCode, message: string): CheckResult {
    return { status: rpcStatus(code, message), validDurationMs: this.validDurationMs, validUseCount: this.params.cachingUseCount };
  }
}

/** The text a value is looked up by: a string as is, an IP address (or its raw bytes) as Go prints it. */
function valueText(value: ListEntryInstance['value']): string | undefined {
  if (typeof value === 'string') return value;
  if (value instanceof IpAddress) return value.toString();
  if (value instanceof Uint8Array) return IpAddress.fromBytes(value).toString();
  return undefined;
}
