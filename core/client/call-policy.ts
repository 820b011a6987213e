import { RpcCode } from '../status/rpc-code.js';
import type { ClientClock } from './client-clock.js';
import { TransportError } from './transport.js';

/**
 * The delay before retry number `retry` (0 for the first retry): uniform in
 * [base, min(max, base·2^retry)], in whole milliseconds, as Istio's client draws it.
 */
export function retryDelayMs(retry: number, baseMs: number, maxMs: number, random: () => number): number {
  const ceiling = Math.max(baseMs, Math.min(maxMs, baseMs * 2 ** retry));
  const drawn = baseMs + Math.floor(random() * (Math.floor(ceiling - baseMs) + 1));
  return Math.min(ceiling, drawn);
}

/** Any failure of a transport call as a TransportError (a bug in a transport becomes INTERNAL). */
export function asTransportError(error: unknown): TransportError {
  if (error instanceof TransportError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new TransportError(RpcCode.INTERNAL, `transport failed: ${message}`, { cause: error });
}

/**
 * Runs one transport call under a timeout and the caller's signal. The call gets a signal that
 * aborts on either; the returned promise settles on time even if the transport ignores it. It
 * rejects only with TransportError: DEADLINE_EXCEEDED on timeout, CANCELLED when the caller
 * aborted.
 */
export function callWithTimeout<T>(
  clock: ClientClock,
  timeoutMs: number,
  callerSignal: AbortSignal | undefined,
  call: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const controller = new AbortController();
    let settled = false;
    const finish = (error: TransportError | undefined, value?: T): void => {
      if (settled) return;
      settled = true;
      timer.cancel();
      callerSignal?.removeEventListener('abort', onCallerAbort);
      if (error !== undefined) {
        controller.abort(error);
        reject(error);
      } else {
        resolve(value as T);
      }
    };
    const onCallerAbort = (): void => finish(new TransportError(RpcCode.CANCELLED, 'the Mixer call was cancelled by the caller'));
    const timer = clock.setTimer(timeoutMs, () => finish(new TransportError(RpcCode.DEADLINE_EXCEEDED, `the Mixer call timed out after ${timeoutMs} ms`)));
    if (callerSignal?.aborted === true) {
      onCallerAbort();
      return;
    }
    callerSignal?.addEventListener('abort', onCallerAbort, { once: true });
    let pending: Promise<T>;
    try {
      pending = call(controller.signal);
    } catch (error) {
      finish(asTransportError(error));
      return;
    }
    pending.then(
      (value) => finish(undefined, value),
      (error: unknown) => finish(asTransportError(error)),
    );
  });
}
