/**
 * A small benchmark harness: runs a function in timed batches, keeps the median rate, and
 * prints results as `BENCH <name> <value> <unit>` lines (the format CI and the closing notes
 * read). Every bench measures its own ceiling in the same run, since absolute numbers drift
 * on a shared machine and only ratios hold.
 */
export interface BenchOptions {
  /** Short runs for `npm run bench -- --quick`. */
  readonly quick: boolean;
  /** Whether a bench that runs several processes may pin them to CPUs (`--no-pin` turns it off). */
  readonly pinCpus?: boolean;
}

export interface RateResult {
  readonly name: string;
  readonly perSecond: number;
}

/** Keeps the JIT from discarding results. */
let sink = 0;

export function consume(value: unknown): void {
  if (value === true) sink++;
  else if (typeof value === 'number') sink += value;
}

export function sinkValue(): number {
  return sink;
}

/**
 * Measures how many times per second `iteration(i)` runs. Calibrates a batch to take about
 * `batchMillis`, runs `trials` batches, reports the median.
 */
export function measureRate(name: string, iteration: (index: number) => unknown, options: BenchOptions): RateResult {
  const batchMillis = options.quick ? 30 : 250;
  const trials = options.quick ? 5 : 9;
  // Warm up and calibrate.
  let batch = 1000;
  for (;;) {
    const started = process.hrtime.bigint();
    for (let index = 0; index < batch; index++) consume(iteration(index));
    const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
    if (elapsed >= batchMillis / 4 || batch >= 1e9) {
      batch = Math.max(1000, Math.round((batch * batchMillis) / Math.max(elapsed, 0.001)));
      break;
    }
    batch *= 4;
  }
  const rates: number[] = [];
  for (let trial = 0; trial < trials; trial++) {
    const started = process.hrtime.bigint();
    for (let index = 0; index < batch; index++) consume(iteration(index));
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    rates.push(batch / seconds);
  }
  rates.sort((a, b) => a - b);
  return { name, perSecond: rates[Math.floor(rates.length / 2)]! };
}

/** The value at quantile `q` (0.5: the median) of `values`, which need not be sorted; NaN when empty. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))]!;
}

export function printBench(name: string, value: number, unit: string): void {
  const text = Math.abs(value) >= 100 ? value.toFixed(0) : value.toPrecision(4);
  process.stdout.write(`BENCH ${name} ${text} ${unit}\n`);
}
