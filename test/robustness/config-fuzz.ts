import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { eventually } from '../support/mixer-harness.js';
import { ALLOWED, DENIED, EXTRA_FILE, GOOD_FILES, PRODUCTPAGE, RATINGS, brokenChange, type BrokenChange } from './config-fuzz-cases.js';
import { startMixerProcess, writeAtomically, type DebugConfig, type MixerProcess } from './config-mixer-process.js';

export interface ConfigFuzzOptions {
  /** Broken changes to write (each followed by a write that restores the good config). */
  readonly writes: number;
  /** fast-check seed for the changes: the same seed writes the same changes. */
  readonly seed: number;
  /** Concurrent Check loops (default 4). */
  readonly checkLoops?: number;
  /** Called after each write with a one-line progress note. */
  readonly progress?: (note: string) => void;
}

export interface ConfigFuzzReport {
  readonly writes: number;
  readonly seed: number;
  /** Writes per kind of breakage. */
  readonly families: Readonly<Record<string, number>>;
  /** Checks answered, each as the good config answers it. */
  readonly denied: number;
  readonly allowed: number;
  /** The server's resident memory after each write (and its restore). */
  readonly residentBytes: readonly number[];
  readonly elapsedMs: number;
}

/** Bound on each awaited step (a rebuild of the largest broken file on a busy machine). */
const STEP_TIMEOUT_MS = 60_000;

const REJECTED = ['mixer_config_reloads_total', 'result="rejected"'] as const;

/**
 * The config fuzz under load: a real `mixer server` over a good config (a deny rule for ratings,
 * everything else allowed) answers a steady stream of Checks while broken changes are written
 * into its config directory, each atomically. After each write it asserts that the change was
 * rejected and shown at /debug/config with a file and line, that the active config did not
 * change, and that Checks were answered by the good config while the broken file was in place;
 * then the good config is restored and must be applied. Throughout, every Check for ratings is
 * denied and every other allowed, and the server never exits. Throws on the first violation.
 */
export async function runConfigFuzz(options: ConfigFuzzOptions): Promise<ConfigFuzzReport> {
  const started = Date.now();
  const directory = await mkdtemp(join(tmpdir(), 'mixer-config-fuzz-'));
  for (const [file, text] of Object.entries(GOOD_FILES)) await writeFile(join(directory, file), text);
  const mixer = await startMixerProcess(directory);
  const load = new CheckLoad(mixer, options.checkLoops ?? 4);
  const families: Record<string, number> = {};
  const resident: number[] = [];
  try {
    await eventually(async () => (await mixer.debugConfig()).active !== null, STEP_TIMEOUT_MS, 'the good config');
    const good = shape(await mixer.debugConfig());
    load.start();
    const changes = fc.sample(brokenChange, { seed: options.seed, numRuns: options.writes });
    for (const [index, change] of changes.entries()) {
      const where = `write ${index + 1}/${changes.length} (seed ${options.seed}, ${change.family}, ${change.file})`;
      await rejectOne(mixer, directory, change, load, good, where);
      await restore(mixer, directory, change, where);
      assert.equal(shape(await mixer.debugConfig()), good, `${where}: the restored config is not the good one`);
      load.assertClean(where);
      assert.equal(mixer.child.exitCode ?? mixer.child.signalCode, null, `${where}: the server exited\n${mixer.output()}`);
      families[change.family] = (families[change.family] ?? 0) + 1;
      const bytes = await mixer.residentBytes();
      resident.push(bytes);
      options.progress?.(`${where}: rejected and restored; ${load.denied} denied, ${load.allowed} allowed; rss ${(bytes / 1048576).toFixed(0)} MiB`);
    }
    await load.stop();
    load.assertClean('the end');
  } finally {
    await load.stop();
    await mixer.stop();
    await rm(directory, { recursive: true, force: true });
  }
  return { writes: options.writes, seed: options.seed, families, denied: load.denied, allowed: load.allowed, residentBytes: resident, elapsedMs: Date.now() - started };
}

/** What the active config holds (not its id: the same good config may be rebuilt and applied again). */
function shape(debug: DebugConfig): string {
  return JSON.stringify(debug.active === null ? null : { handlers: debug.active.handlers, instances: debug.active.instances, rules: debug.active.rules, errors: debug.active.errors });
}

/** Writes a broken change and waits for its rejection; asserts what /debug/config and Checks say meanwhile. */
async function rejectOne(mixer: MixerProcess, directory: string, change: BrokenChange, load: CheckLoad, good: string, where: string): Promise<void> {
  const rejectedBefore = await mixer.metric(...REJECTED);
  await writeAtomically(join(directory, change.file), change.content);
  await eventually(
    async () => (await mixer.metric(...REJECTED)) > rejectedBefore || shape(await mixer.debugConfig()) !== good,
    STEP_TIMEOUT_MS,
    `${where} to be rejected`,
  );
  const debug = await mixer.debugConfig();
  assert.equal(shape(debug), good, `${where}: a broken config was applied; /debug/config: ${JSON.stringify(debug).slice(0, 2000)}`);
  const errors = debug.lastRejected?.errors ?? [];
  const prefix = `${join(directory, change.errorFile)}:`;
  assert.ok(
    errors.some((error) => error.startsWith(prefix) && /^\d+: \S/.test(error.slice(prefix.length))),
    `${where}: no error names ${change.errorFile} with a line:\n${errors.join('\n').slice(0, 4000)}`,
  );
  // Checks are answered, by the good config, while the broken file is in place.
  const { denied, allowed } = load;
  await eventually(() => load.denied > denied && load.allowed > allowed, STEP_TIMEOUT_MS, `${where}: Checks answered while it is in place`);
}

/** Puts the good config back and waits until it is applied. */
async function restore(mixer: MixerProcess, directory: string, change: BrokenChange, where: string): Promise<void> {
  const activeBefore = (await mixer.debugConfig()).active?.id ?? 0;
  if (change.file === EXTRA_FILE) await rm(join(directory, EXTRA_FILE));
  else await writeAtomically(join(directory, change.file), GOOD_FILES[change.file]!);
  await eventually(async () => ((await mixer.debugConfig()).active?.id ?? 0) > activeBefore, STEP_TIMEOUT_MS, `${where}: the restored good config to be applied`);
}

/** Concurrent loops of Checks, alternating ratings (must be denied) and productpage (must be allowed). */
class CheckLoad {
  denied = 0;
  allowed = 0;
  private readonly failures: string[] = [];
  private running: Promise<void>[] = [];
  private stopping = false;

  constructor(
    private readonly mixer: MixerProcess,
    private readonly loops: number,
  ) {}

  start(): void {
    this.running = Array.from({ length: this.loops }, (_, loop) => this.loop(loop % 2 === 0));
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.running);
  }

  assertClean(where: string): void {
    assert.deepEqual(this.failures.slice(0, 10), [], `${where}: Checks answered other than by the good config (${this.failures.length} in all)`);
  }

  private fail(failure: string): void {
    if (this.failures.length < 1000) this.failures.push(failure);
  }

  private async loop(ratingsFirst: boolean): Promise<void> {
    let ratings = ratingsFirst;
    while (!this.stopping) {
      const [attributes, expected] = ratings ? [RATINGS, DENIED] : [PRODUCTPAGE, ALLOWED];
      try {
        const answer = await this.mixer.check(attributes);
        if (answer.status === expected.status && answer.code === expected.code && answer.message === expected.message) {
          if (ratings) this.denied++;
          else this.allowed++;
        } else {
          this.fail(`${JSON.stringify(attributes)}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(answer)}`);
        }
      } catch (error) {
        this.fail(`${JSON.stringify(attributes)}: ${String(error)}`);
      }
      ratings = !ratings;
    }
  }
}
