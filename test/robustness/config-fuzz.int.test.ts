import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runConfigFuzz } from './config-fuzz.js';

// Issue 13's config fuzz under load, kept: broken config changes written into a running
// `mixer server` while it answers Checks (see runConfigFuzz). A few dozen writes here; a long run:
//   MIXER_CONFIG_FUZZ_WRITES=500 node --test dist/test/robustness/config-fuzz.int.test.js
// MIXER_CONFIG_FUZZ_SEED picks other changes; MIXER_CONFIG_FUZZ_VERBOSE=1 prints each write.

const WRITES = Number(process.env['MIXER_CONFIG_FUZZ_WRITES'] ?? 30);
const SEED = Number(process.env['MIXER_CONFIG_FUZZ_SEED'] ?? 13);

/** The server's memory may not grow past this over the run: each broken file is parsed and dropped. */
const RESIDENT_GROWTH_LIMIT = 128 * 1024 * 1024;

test(`${WRITES} broken config writes under a stream of Checks: each rejected with file and line, every Check answered by the good config`, { timeout: WRITES * 60_000 }, async (context) => {
  const report = await runConfigFuzz({
    writes: WRITES,
    seed: SEED,
    ...(process.env['MIXER_CONFIG_FUZZ_VERBOSE'] === '1' ? { progress: (note: string) => context.diagnostic(note) } : {}),
  });
  context.diagnostic(JSON.stringify(report));
  assert.equal(Object.values(report.families).reduce((sum, count) => sum + count, 0), WRITES);
  assert.ok(report.denied >= WRITES && report.allowed >= WRITES, `only ${report.denied} denied and ${report.allowed} allowed Checks`);
  assert.ok(
    report.residentBytes.peak - report.residentBytes.first < RESIDENT_GROWTH_LIMIT,
    `resident memory grew from ${report.residentBytes.first} to ${report.residentBytes.peak} bytes`,
  );
});
