import { consume, quantile, type BenchOptions } from '../harness.js';

/**
 * Like the harness's measureRate, but per second of this process's CPU time instead of wall
 * time: a synchronous decision loop is pure CPU work, and on a shared, loaded machine the
 * scheduler's pauses would otherwise dominate, and differ between the figures being compared.
 * Batches alternate between the subjects, so all of them see the same machine state.
 */
export function measureCpuRates(subjects: Readonly<Record<string, (index: number) => unknown>>, options: BenchOptions): Record<string, number> {
  const batchMillis = options.quick ? 80 : 200;
  const rounds = options.quick ? 7 : 15;
  const names = Object.keys(subjects);
  const batches = new Map<string, number>();
  for (const name of names) batches.set(name, calibrate(subjects[name]!, batchMillis));
  const rates = new Map<string, number[]>(names.map((name) => [name, []]));
  // Round 0 is a warm-up (the JIT settles on every subject's code first), not counted.
  for (let round = -1; round < rounds; round++) {
    for (const name of names) {
      const iteration = subjects[name]!;
      const batch = batches.get(name)!;
      const started = cpuMicros();
      for (let index = 0; index < batch; index++) consume(iteration(index));
      if (round >= 0) rates.get(name)!.push(batch / (Math.max(cpuMicros() - started, 1) / 1e6));
    }
  }
  return Object.fromEntries(names.map((name) => [name, quantile(rates.get(name)!, 0.5)]));
}

/** A batch size taking about `batchMillis` of CPU (after warming up). */
function calibrate(iteration: (index: number) => unknown, batchMillis: number): number {
  let batch = 1000;
  for (;;) {
    const started = cpuMicros();
    for (let index = 0; index < batch; index++) consume(iteration(index));
    const elapsedMs = (cpuMicros() - started) / 1000;
    if (elapsedMs >= batchMillis / 4 || batch >= 1e9) return Math.max(1000, Math.round((batch * batchMillis) / Math.max(elapsedMs, 0.001)));
    batch *= 4;
  }
}

function cpuMicros(): number {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
}
