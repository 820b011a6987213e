import { Agent, request as httpRequest } from 'node:http';
import { quantile } from './harness.js';

export interface FixedRateOptions {
  /** Requests per second, across all connections. */
  readonly rate: number;
  /** Keep-alive connections the requests share. */
  readonly connections: number;
  readonly seconds: number;
}

export interface LatencyPercentiles {
  readonly p50Us: number;
  readonly p90Us: number;
  readonly p99Us: number;
  /** Requests answered (all of them: a failure rejects). */
  readonly completed: number;
}

/**
 * Open-loop load at a fixed rate, as fortio drives Istio's latency benchmark (1000 requests per
 * second over 16 connections): requests go out on schedule whether or not earlier ones have
 * been answered, each timed (µs, from when it is sent until its response has ended). A request
 * waiting for a free connection counts that wait. Rejects on an error or a non-200 answer.
 */
export async function fixedRateLatency(port: number, host: string, path: string, options: FixedRateOptions): Promise<LatencyPercentiles> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
  const total = Math.max(1, Math.round(options.rate * options.seconds));
  const intervalNs = 1e9 / options.rate;
  const samples: number[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const started = process.hrtime.bigint();
      let sent = 0;
      let answered = 0;
      let failed = false;
      const send = (): void => {
        const sentAt = process.hrtime.bigint();
        const call = httpRequest({ agent, host: '127.0.0.1', port, path, headers: { host } }, (response) => {
          if (response.statusCode !== 200) fail(new Error(`status ${String(response.statusCode)} from port ${port}`));
          response.resume();
          response.on('end', () => {
            samples.push(Number(process.hrtime.bigint() - sentAt) / 1000);
            if (++answered === total && !failed) resolve();
          });
        });
        call.on('error', fail);
        call.end();
      };
      const fail = (error: Error): void => {
        if (failed) return;
        failed = true;
        reject(error);
      };
      // Timers fire late by up to a millisecond: each tick sends every request that is due.
      const tick = (): void => {
        if (failed) return;
        const elapsedNs = Number(process.hrtime.bigint() - started);
        while (sent < total && sent * intervalNs <= elapsedNs) {
          send();
          sent++;
        }
        if (sent < total) setTimeout(tick, Math.max(0, (sent * intervalNs - elapsedNs) / 1e6));
      };
      tick();
    });
  } finally {
    agent.destroy();
  }
  return { p50Us: quantile(samples, 0.5), p90Us: quantile(samples, 0.9), p99Us: quantile(samples, 0.99), completed: samples.length };
}
