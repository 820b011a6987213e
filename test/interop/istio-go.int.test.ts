import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { startGrpcMixer, type GrpcMixer } from '../../core/grpc/testing/grpc-mixer-fixture.js';
import { repositoryRoot } from '../support/conformance.js';

// Interop with Istio's own Go code: test/interop/go builds CheckRequests and ReportRequests with
// Istio's generated istio.io/api/mixer/v1 types (Istio 1.4), compressed against Istio's own
// global_dictionary.yaml, sends them with Istio's generated gRPC client to a real `mixer server`,
// reads the answers with the same types and prints a JSON summary, checked here.

const run = promisify(execFile);
const GO_DIRECTORY = join(repositoryRoot(), 'test', 'interop', 'go');

interface CheckSummary {
  grpcCode: number;
  grpcMessage?: string;
  status?: { code: number; message: string };
  validDurationMs: number;
  validUseCount: number;
  referenced: string[] | null;
  referencedValid: boolean;
  referencedWords: string[] | null;
  maxNameIndex: number;
  maxKeyIndex: number;
  requestHeaders: { name: string; value: string; operation: string }[] | null;
  responseHeaders: { name: string; value: string; operation: string }[] | null;
  quotas: Record<string, { granted: number; validDurationMs: number; statusCode: number; referenced: string[] | null }> | null;
}

interface CallSummary {
  grpcCode: number;
  grpcMessage?: string;
}

interface Summary {
  dictionary: { words: number; word94: string; word218: string; word221: string };
  allow: CheckSummary;
  olderClient: CheckSummary;
  typed: CheckSummary;
  deny: CheckSummary;
  whitelist: CheckSummary;
  quotaGrants: number[];
  newerDictionary: CheckSummary;
  badIndex: CheckSummary;
  truncated: CallSummary;
  reportIndependent: CallSummary;
  reportDelta: CallSummary;
  reportBadEntry: CallSummary;
  reportNewerDictionary: CallSummary;
  reportEmpty: CallSummary;
}

/** The go toolchain, or undefined (the test is skipped) when there is none outside CI. */
async function goVersion(): Promise<string | undefined> {
  try {
    return (await run('go', ['version'])).stdout.trim();
  } catch (error) {
    if (process.env['CI'] === 'true') throw new Error(`the go toolchain is required under CI=true: ${String(error)}`);
    return undefined;
  }
}

describe("interop with Istio's Go types (istio.io/api mixer/v1 at Istio 1.4)", () => {
  let mixer: GrpcMixer;
  let summary: Summary;
  let logLines: string[];
  let buildDirectory: string;
  let skipped: string | undefined;

  before(async () => {
    if ((await goVersion()) === undefined) {
      skipped = 'no go toolchain on PATH';
      return;
    }
    buildDirectory = await mkdtemp(join(tmpdir(), 'mixer-interop-'));
    const binary = join(buildDirectory, 'interop');
    // Downloads the modules on first use (.ci/run does this ahead of the tests); prints their directory.
    const download = await run('go', ['mod', 'download', '-json', 'istio.io/api'], { cwd: GO_DIRECTORY, maxBuffer: 1 << 20 });
    const dictionary = join((JSON.parse(download.stdout) as { Dir: string }).Dir, 'mixer', 'v1', 'global_dictionary.yaml');
    await run('go', ['build', '-o', binary, '.'], { cwd: GO_DIRECTORY, maxBuffer: 1 << 24 });
    mixer = await startGrpcMixer();
    const { stdout } = await run(binary, ['-target', mixer.grpcTarget, '-dictionary', dictionary], { maxBuffer: 1 << 24 });
    summary = JSON.parse(stdout) as Summary;
    logLines = await mixer.logLines(8);
  });

  after(async () => {
    await mixer?.close();
    if (buildDirectory !== undefined) await rm(buildDirectory, { recursive: true, force: true });
  });

  test("Istio's global_dictionary.yaml is the dictionary the server uses", (context) => {
    if (skipped !== undefined) return context.skip(skipped);
    assert.deepEqual(summary.dictionary, { words: 222, word94: "'200'", word218: '"-"', word221: 'context.proxy_version' });
  });

  test('an allowed Check: OK with caching hints, referenced attributes Go decodes with the words, header operations, a quota grant', (context) => {
    if (skipped !== undefined) return context.skip(skipped);
    const allow = summary.allow;
    assert.equal(allow.grpcCode, 0);
    assert.deepEqual(allow.status, { code: 0, message: '' });
    assert.equal(allow.validDurationMs, 60_000);
    assert.equal(allow.validUseCount, 10_000);
    assert.equal(allow.referencedValid, true);
    assert.deepEqual([...(allow.referenced ?? [])].sort(), ['-context.reporter.kind', '-destination.namespace', 'destination.labels[app]', 'source.labels[app]']);
    assert.deepEqual(allow.referencedWords, ['app'], 'map keys outside the dictionary travel as words');
    assert.deepEqual(allow.requestHeaders, [{ name: 'x-mixer-caller', value: 'productpage', operation: 'REPLACE' }]);
    assert.deepEqual(allow.responseHeaders, [{ name: 'x-powered-by', value: '', operation: 'REMOVE' }]);
    assert.equal(allow.quotas?.['requestcount']?.granted, 1);
    assert.equal(allow.quotas?.['requestcount']?.validDurationMs, 60_000);
    assert.deepEqual([...(allow.quotas?.['requestcount']?.referenced ?? [])].sort(), ['-context.reporter.kind', '-destination.namespace', 'destination.labels[app]']);
  });

  test('every value kind arrives exact: int64 beyond 2^53, IPv4 and IPv6 bytes, nanosecond timestamp, duration, bool, header', (context) => {
    if (skipped !== undefined) return context.skip(skipped);
    const typed = summary.typed;
    assert.equal(typed.grpcCode, 0);
    assert.deepEqual(typed.status, { code: 9, message: 'typedvalues.handler.istio-system:every typed value matched' });
    for (const name of ['request.size', 'source.ip', 'destination.ip', 'request.time', 'response.duration', 'connection.mtls', 'request.path', 'request.headers[user-agent]']) {
      assert.ok(typed.referenced?.includes(name), `${name} referenced (EXACT): ${JSON.stringify(typed.referenced)}`);
    }
  });

  test("an older client's global_word_count: the answer uses only global words below it", (context) => {
    if (skipped !== undefined) return context.skip(skipped);
    const older = summary.olderClient;
    assert.equal(older.grpcCode, 0);
    assert.equal(older.status?.code, 0);
    assert.ok(older.maxNameIndex < 111 && older.maxKeyIndex < 111, `indexes ${older.maxNameIndex}/${older.maxKeyIndex}`);
    assert.ok(older.referencedWords?.includes('context.reporter.kind'), 'global word 201 sent as a message word');
    assert.deepEqual([...(older.referenced ?? [])].sort(), [...(summary.allow.referenced ?? [])].sort(), 'the same references, spelled differently');
  });

  test('denials are successful calls carrying the denial; quotas are not allocated then', (context) => {
    if (skipped !== undefined) return context.skip(skipped);
    assert.equal(summary.deny.grpcCode, 0);
    assert.deepEqual(summary.deny.status, { code: 7, message: 'denyv3.handler.istio-system:Not allowed' });
    assert.equal(summary.deny.validDurationMs, 5000);
    assert.equal(summary.deny.validUseCount, 1000);
    assert.deepEqual(summary.deny.quotas, {});
    assert.ok(summary.deny.referenced?.includes('source.labels[version]'));
    assert.equal(summary.whitelist.grpcCode, 0);
    assert.deepEqual(summary.whitelist.status, { code: 7, message: 'detailscallers.handler.istio-system:reviews is not whitelisted' });
  });

  test('memquota runs out after 3; a retried deduplication id does not spend again', (context) => {
    if (skipped !== undefined) return context.skip(skipped);
    assert.deepEqual(summary.quotaGrants, [1, 1, 1, 1, 0]);
  });

  test('error statuses: newer dictionary INTERNAL, bad word index and truncated bytes INVALID_ARGUMENT', (context) => {
    if (skipped !== undefined) return context.skip(skipped);
    assert.equal(summary.newerDictionary.grpcCode, 13);
    assert.equal(summary.newerDictionary.grpcMessage, 'inconsistent global dictionary versions used: mixer knows 222 words, caller knows 223');
    assert.equal(summary.badIndex.grpcCode, 3);
    assert.match(summary.badIndex.grpcMessage ?? '', /strings: value index -5 is not defined in the available dictionaries/);
    assert.equal(summary.truncated.grpcCode, 3);
    assert.match(summary.truncated.grpcMessage ?? '', /truncated message/);
    assert.equal(summary.reportNewerDictionary.grpcCode, 13);
    assert.equal(summary.reportEmpty.grpcCode, 0);
  });

  test('reports in INDEPENDENT and DELTA encoding reach the access log with exact values; a bad entry is UNKNOWN, the rest logged', (context) => {
    if (skipped !== undefined) return context.skip(skipped);
    assert.equal(summary.reportIndependent.grpcCode, 0);
    assert.equal(summary.reportDelta.grpcCode, 0);
    assert.equal(summary.reportBadEntry.grpcCode, 2);
    assert.match(summary.reportBadEntry.grpcMessage ?? '', /^request could not be processed due to invalid attributes: attributes\[1\]: .*index -1000/);
    const entries = logLines.map((line) => JSON.parse(line) as { path: string; code: number });
    assert.deepEqual(
      entries.map((entry) => `${entry.path} ${entry.code}`),
      ['/go/independent/1 200', '/go/independent/2 201', '/go/independent/3 202', '/go/delta/1 200', '/go/delta/1 404', '/go/delta/3 404', '/go/bad-batch/1 200', '/go/bad-batch/3 200'],
    );
    for (const line of logLines) {
      for (const expected of ['"size":9007199254740993', '"source":"2001:db8::2"', '"latency":"25ms"', '"mtls":true', '"caller":"go-reporter"', '"agent":"istio-go-interop"', '"time":"2019-11-15T17:32:47.123456']) {
        assert.ok(line.includes(expected), `${expected} in ${line}`);
      }
    }
  });
});
