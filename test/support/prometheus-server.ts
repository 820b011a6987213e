import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { TestContext } from 'node:test';
import { requireTool } from './tools.js';

// A real Prometheus for integration tests: started on a free loopback port with a generated
// config that scrapes the given targets every 200 ms, its storage in a temporary directory.

/** One series of an instant query's answer. */
export interface PromSeries {
  readonly metric: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface PrometheusTarget {
  readonly scrapeUrl: string;
  readonly health: string;
  /** Milliseconds since the epoch (Prometheus gives RFC 3339 with nanoseconds). */
  readonly lastScrape: number;
  readonly lastError: string;
}

export interface RunningPrometheus {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** An instant query through `/api/v1/query`; rejects unless Prometheus answers success. */
  query(expression: string): Promise<PromSeries[]>;
  targets(): Promise<PrometheusTarget[]>;
  /** Resolves once every target has been scraped (successfully) after `since` (ms since the epoch). */
  waitForScrapeAfter(since: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export interface PrometheusOptions {
  /** `host:port` of each target to scrape. */
  readonly targets: readonly string[];
  readonly metricsPath?: string;
  /** Default 200 ms. */
  readonly scrapeIntervalMs?: number;
  readonly jobName?: string;
}

/** The prometheus binary: `$PROMETHEUS_BIN`, else `prometheus` on the PATH; undefined if neither exists. */
export function prometheusBinary(): string | undefined {
  const configured = process.env['PROMETHEUS_BIN'];
  const candidates = configured !== undefined && configured !== '' ? [configured] : (process.env['PATH'] ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, 'prometheus'));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not this one
    }
  }
  return undefined;
}

/**
 * The binary, or undefined with the test skipped when it is missing. Under CI=true a missing
 * binary fails the test: it must never pass as a skip there.
 */
export function requirePrometheus(context: TestContext): string | undefined {
  return requireTool(context, 'prometheus', prometheusBinary(), 'install Debian\'s prometheus package, or set PROMETHEUS_BIN');
}

/** A port that was free a moment ago on 127.0.0.1 (the OS picks it). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

const ATTEMPTS = 3;

/** Starts Prometheus; retries on another port if the one picked was taken meanwhile. */
export async function startPrometheus(binary: string, options: PrometheusOptions): Promise<RunningPrometheus> {
  const directory = await mkdtemp(join(tmpdir(), 'mixer-prometheus-'));
  try {
    const configFile = join(directory, 'prometheus.yml');
    await writeFile(configFile, prometheusConfig(options));
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const started = await launch(binary, configFile, join(directory, 'data'), port);
      if (started.ok) return running(started.process, `http://127.0.0.1:${port}`, directory);
      if (!started.portTaken || attempt === ATTEMPTS) throw new Error(`prometheus did not start: ${started.log}`);
    }
  } catch (error) {
    await rm(directory, { recursive: true, force: true });
    throw error;
  }
}

function prometheusConfig(options: PrometheusOptions): string {
  const interval = `${options.scrapeIntervalMs ?? 200}ms`;
  return [
    'global:',
    `  scrape_interval: ${interval}`,
    `  scrape_timeout: ${interval}`,
    '  evaluation_interval: 1s',
    'scrape_configs:',
    `  - job_name: ${JSON.stringify(options.jobName ?? 'mixer')}`,
    `    metrics_path: ${JSON.stringify(options.metricsPath ?? '/metrics')}`,
    '    static_configs:',
    `      - targets: [${options.targets.map((target) => JSON.stringify(target)).join(', ')}]`,
    '',
  ].join('\n');
}

type Launch = { ok: true; process: ChildProcess } | { ok: false; portTaken: boolean; log: string };

async function launch(binary: string, configFile: string, dataDirectory: string, port: number): Promise<Launch> {
  const child = spawn(
    binary,
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${dataDirectory}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--storage.tsdb.retention.time=1h',
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    log = (log + chunk).slice(-8192);
  });
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (exited) return { ok: false, portTaken: /address already in use/.test(log), log };
    const ready = await fetch(`http://127.0.0.1:${port}/-/ready`).then((response) => response.ok, () => false);
    if (ready) return { ok: true, process: child };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill('SIGKILL');
  return { ok: false, portTaken: false, log: `not ready within 30 s; ${log}` };
}

function running(child: ChildProcess, url: string, directory: string): RunningPrometheus {
  const api = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${url}${path}`);
    const body = (await response.json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`prometheus ${path}: ${body.error ?? response.status}`);
    return body.data;
  };
  const targets = async (): Promise<PrometheusTarget[]> => {
    const data = await api<{ activeTargets: { scrapeUrl: string; health: string; lastScrape: string; lastError: string }[] }>('/api/v1/targets');
    return data.activeTargets.map((target) => ({ scrapeUrl: target.scrapeUrl, health: target.health, lastScrape: Date.parse(target.lastScrape), lastError: target.lastError }));
  };
  return {
    url,
    async query(expression) {
      const data = await api<{ resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] }>(`/api/v1/query?query=${encodeURIComponent(expression)}`);
      if (data.resultType !== 'vector') throw new Error(`expected a vector, got ${data.resultType}`);
      return data.result.map((series) => ({ metric: series.metric, value: Number(series.value[1]) }));
    },
    targets,
    async waitForScrapeAfter(since, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      let last: PrometheusTarget[] = [];
      while (Date.now() < deadline) {
        last = await targets();
        if (last.length > 0 && last.every((target) => target.health === 'up' && target.lastScrape > since)) return;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`no successful scrape after ${new Date(since).toISOString()}: ${JSON.stringify(last)}`);
    },
    async close() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = once(child, 'exit');
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      await rm(directory, { recursive: true, force: true });
    },
  };
}
