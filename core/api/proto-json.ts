/**
 * google.protobuf.Duration in proto3 JSON: seconds with up to 9 fractional digits and an `s`
 * suffix (`60s`, `1.5s`, `0.001s`).
 */
export function durationJson(milliseconds: number): string {
  if (!Number.isFinite(milliseconds)) return '315576000000s';
  const nanos = Math.round(milliseconds * 1e6);
  const sign = nanos < 0 ? '-' : '';
  const absolute = Math.abs(nanos);
  const seconds = Math.floor(absolute / 1e9);
  const fraction = absolute % 1e9;
  if (fraction === 0) return `${sign}${seconds}s`;
  return `${sign}${seconds}.${String(fraction).padStart(9, '0').replace(/0+$/, '')}s`;
}
