import type { AdapterEnvironment } from '../sdk/environment.js';

/** Provider bodies larger than this are refused (Istio read them unbounded). */
export const MAX_LIST_BYTES = 32 * 1024 * 1024;

export type FetchOutcome = { readonly ok: true; readonly body: string } | { readonly ok: false; readonly error: string };

/**
 * One GET of the list: the body of a 200 answer, or Istio's error text
 * (`could not fetch list from <url>: <status or cause>`). Aborted when the handler closes or
 * after `timeoutMs` (the timer goes through the environment).
 */
export async function fetchList(url: string, env: AdapterEnvironment, timeoutMs: number): Promise<FetchOutcome> {
  const timeout = new AbortController();
  const cancelTimer = env.schedule(() => timeout.abort(new Error(`timed out after ${timeoutMs}ms`)), timeoutMs);
  const signal = AbortSignal.any([env.signal, timeout.signal]);
  try {
    const response = await fetch(url, { signal, redirect: 'follow' });
    if (response.status !== 200) {
      await response.body?.cancel();
      return { ok: false, error: `could not fetch list from ${url}: ${response.status}` };
    }
    const body = await readCapped(response);
    if (body === undefined) return { ok: false, error: `could not read from ${url}: the list is larger than ${MAX_LIST_BYTES} bytes` };
    return { ok: true, body };
  } catch (error) {
    return { ok: false, error: `could not fetch list from ${url}: ${describeFetchError(error, signal)}` };
  } finally {
    cancelTimer();
  }
}

async function readCapped(response: Response): Promise<string | undefined> {
  if (response.body === null) return '';
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > MAX_LIST_BYTES) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function describeFetchError(error: unknown, signal: AbortSignal): string {
  if (signal.aborted) {
    const reason: unknown = signal.reason;
    return reason instanceof Error ? reason.message : 'aborted';
  }
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
  }
  return String(error);
}
