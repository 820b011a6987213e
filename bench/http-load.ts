import autocannon from 'autocannon';

/** What one autocannon run measured. */
export interface HttpLoadResult {
  readonly requestsPerSecond: number;
  readonly requests: number;
  /** autocannon reports percentiles in whole milliseconds; the average keeps fractions. */
  readonly averageMs: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Transport errors plus non-2xx answers. */
  readonly errors: number;
}

/** POSTs `body` as JSON to `url` from `connections` connections for `seconds` (autocannon, in this process). */
export async function postJsonLoad(url: string, body: unknown, connections: number, seconds: number): Promise<HttpLoadResult> {
  const result = await autocannon({
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    connections,
    duration: seconds,
  });
  return {
    requestsPerSecond: result.requests.average,
    requests: result.requests.total,
    averageMs: result.latency.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors + result.non2xx,
  };
}
