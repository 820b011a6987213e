import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runConfigFuzz } from './config-fuzz.js';

// Issue 13's config fuzz under load, kept: broken config changes written into a running
// `mixer server` while it answers Checks (see runConfigFuzz). A few dozen writes here; a long run:
//   MIXER_CONFIG_FUZZ_WRITES=500 node --test dist/test/robustness/config-fuzz.int.test.js
// MIXER_CONFIG_FUZZ_SEED picks other changes; MIXER_CONFIG_FUZZ_VERBOSE=1 prints each write.

const WRITES = Number(process.env['MIXER_CONFIG_FUZZ_WRITES'] ?? 30);
const SEED = Number(process.env['MIXER_CONFIG_FUZZ_SEED'] ?? 13);

const MIB = 1024 * 1024;
/** The server's resident memory never goes past this (it runs at about 130 MiB; parsing a broken file costs tens of MiB for a moment). */
const RESIDENT_CEILING = 512 * MIB;
/**
 * Nor does what it keeps grow: the lowest resident memory over the last fifth of the writes is
 * within this of the lowest over the first fifth (a leak of 0.5 MiB a write would add 200 MiB
 * over a 500-write run). Peaks are not compared: V8 returns memory to the system lazily.
 */
const RESIDENT_GROWTH_LIMIT = 128 * MIB;

test(`${WRITES} broken config writes under a stream of Checks: each rejected with file and line, every Check answered by the good config`, { timeout: WRITES * 60_000 }, async (context) => {
  const report = await runConfigFuzz({
    writes: WRITES,
    seed: SEED,
    ...(process.env['MIXER_CONFIG_FUZZ_VERBOSE'] === '1' ? { progress: (note: string) => context.diagnostic(note) } : {}),
  });
  const resident = report.residentBytes;
  const fifth = Math.max(1, Math.floor(resident.length / 5));
  const memory = {
    peakMiB: Math.round(Math.max(...resident) / MIB),
    firstFifthLowMiB: Math.round(Math.min(...resident.slice(0, fifth)) / MIB),
    lastFifthLowMiB: Math.round(Math.min(...resident.slice(-fifth)) / MIB),
    lastMiB: Math.round(resident[resident.length - 1]! / MIB),
  };
  context.diagnostic(JSON.stringify({ ...report, residentBytes: undefined, memory }));
  assert.equal(Object.values(report.families).reduce((sum, count) => sum + count, 0), WRITES);
  assert.ok(report.denied >= WRITES && report.allowed >= WRITES, `only ${report.denied} denied and ${report.allowed} allowed Checks`);
  assert.ok(memory.peakMiB * MIB < RESIDENT_CEILING, `resident memory reached ${memory.peakMiB} MiB`);
  assert.ok((memory.lastFifthLowMiB - memory.firstFifthLowMiB) * MIB < RESIDENT_GROWTH_LIMIT, `the lowest resident memory grew: ${JSON.stringify(memory)}`);
});
