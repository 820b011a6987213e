// A gRPC load generator in its own process: sends the same raw request bytes to one unary
// method with N calls in flight for D seconds over one channel, then prints one JSON line
// {calls, errors, perSecond, p50Ms, p99Ms}.
// Usage: node grpc-load.js TARGET METHOD_PATH PAYLOAD_BASE64 CONCURRENCY SECONDS
import { Client, credentials, Metadata } from '@grpc/grpc-js';
import { rawUnaryMethod } from './raw-grpc.js';

const [target, path, payloadBase64, concurrencyText, secondsText] = process.argv.slice(2);
if (target === undefined || path === undefined || payloadBase64 === undefined) {
  process.stderr.write('usage: grpc-load TARGET METHOD_PATH PAYLOAD_BASE64 CONCURRENCY SECONDS\n');
  process.exit(2);
}
const payload = Buffer.from(payloadBase64, 'base64');
const concurrency = Number(concurrencyText ?? '16');
const seconds = Number(secondsText ?? '3');
const method = rawUnaryMethod(path);
const client = new Client(target, credentials.createInsecure());
const metadata = new Metadata();

function call(): Promise<void> {
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest(method.path, method.requestSerialize, method.responseDeserialize, payload, metadata, {}, (error) =>
      error === null ? resolve() : reject(error),
    );
  });
}

async function main(): Promise<void> {
  // Warm up the channel.
  for (let index = 0; index < 200; index++) await call();
  const latencies: number[] = [];
  let errors = 0;
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const begin = performance.now();
      try {
        await call();
        latencies.push(performance.now() - begin);
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number): number => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  process.stdout.write(`${JSON.stringify({ calls: latencies.length, errors, perSecond: latencies.length / elapsed, p50Ms: at(0.5), p99Ms: at(0.99) })}\n`);
  client.close();
}

main().catch((error: unknown) => {
  process.stderr.write(`load failed: ${String(error)}\n`);
  process.exit(1);
});
