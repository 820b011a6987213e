import { runCheckBench } from './check/check-bench.js';
import { runExpressionBench } from './expr/expression-bench.js';
import { runGrpcBench } from './grpc/grpc-bench.js';
import type { BenchOptions } from './harness.js';

const USAGE = `Usage: npm run bench [-- --quick] [-- --only NAME] [-- --no-pin]

Runs the project's benchmarks and prints each figure as "BENCH <name> <value> <unit>".
  --quick       short runs (the whole suite in under a minute)
  --only NAME   run one bench (see the list below)
  --no-pin      leave CPU placement to the scheduler (by default the proxy bench's throughput
                rounds run the forwarder under test on a CPU of its own, with taskset)
  -h, --help    show this help`;

const BENCHES: Readonly<Record<string, (options: BenchOptions) => Promise<void> | void>> = {
  expr: runExpressionBench,
  check: runCheckBench,
  grpc: runGrpcBench,
  quota: async (options) => (await import('./quota/quota-bench.js')).runQuotaBench(options),
  report: async (options) => (await import('./report/report-bench.js')).runReportBench(options),
  proxy: async (options) => (await import('./proxy/proxy-bench.js')).runProxyBench(options),
  opa: async (options) => (await import('./opa/opa-bench.js')).runOpaBench(options),
  rbac: async (options) => (await import('./rbac/rbac-bench.js')).runRbacBench(options),
  rules: async (options) => (await import('./rules/rules-bench.js')).runRulesBench(options),
};

async function main(argv: readonly string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n\nBenches: ${Object.keys(BENCHES).join(', ')}\n`);
    return 0;
  }
  const options: BenchOptions = { quick: argv.includes('--quick'), pinCpus: !argv.includes('--no-pin') };
  const onlyIndex = argv.indexOf('--only');
  const only = onlyIndex >= 0 ? argv[onlyIndex + 1] : undefined;
  if (only !== undefined && !(only in BENCHES)) {
    process.stderr.write(`unknown bench '${only}'; known: ${Object.keys(BENCHES).join(', ')}\n`);
    return 2;
  }
  for (const [name, bench] of Object.entries(BENCHES)) {
    if (only !== undefined && name !== only) continue;
    process.stderr.write(`# bench ${name}${options.quick ? ' (quick)' : ''}\n`);
    const started = performance.now();
    await bench(options);
    process.stderr.write(`# bench ${name} took ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
