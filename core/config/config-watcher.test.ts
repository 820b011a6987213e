import assert from 'node:assert/strict';
import { renameSync, writeFileSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ConfigStore, isSnapshotAcceptable, loadSnapshot } from './config-store.js';
import type { ConfigWatcher } from './config-watcher.js';
import type { Snapshot } from './snapshot.js';
import { withConfigDirectory, yaml } from './testing/config-fixtures.js';
import { testAdapters } from './testing/test-adapters.js';
import { TemplateRegistry } from '../../templates/registry.js';

const OPTIONS = { adapters: testAdapters(), environment: {} };

function instance(name: string, template = 'checknothing'): string {
  return yaml('apiVersion: config.istio.io/v1alpha2', `kind: ${template}`, `metadata: { name: ${name} }`, 'spec: {}');
}

/** Snapshots (and errors) emitted by a watcher, awaited one at a time. */
class Emitted {
  private readonly queue: (Snapshot | Error)[] = [];
  private waiting: ((value: Snapshot | Error) => void) | undefined;

  readonly listener = {
    onSnapshot: (snapshot: Snapshot) => this.push(snapshot),
    onError: (error: unknown) => this.push(error instanceof Error ? error : new Error(String(error))),
  };

  private push(value: Snapshot | Error): void {
    if (this.waiting !== undefined) {
      const resolve = this.waiting;
      this.waiting = undefined;
      resolve(value);
    } else {
      this.queue.push(value);
    }
  }

  next(): Promise<Snapshot | Error> {
    const queued = this.queue.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }

  async nextSnapshot(): Promise<Snapshot> {
    const value = await this.next();
    if (value instanceof Error) throw value;
    return value;
  }

  get pending(): number {
    return this.queue.length;
  }
}

function instanceNames(snapshot: Snapshot): string[] {
  return [...snapshot.instances.keys()].sort();
}

/** Active handles of the kinds a watcher creates (fs watchers and timers), for leak checks. */
function watchResources(): number {
  return process.getActiveResourcesInfo().filter((kind) => kind === 'FSEventWrap' || kind === 'Timeout').length;
}

describe('ConfigStore and ConfigWatcher', () => {
  test('loadSnapshot reads the directory; isSnapshotAcceptable accepts only error-free snapshots', async () => {
    await withConfigDirectory({ 'a.yaml': instance('a'), 'bad.yaml': instance('b', 'prometheus') }, async (directory) => {
      const snapshot = await loadSnapshot(directory, OPTIONS);
      assert.deepEqual(instanceNames(snapshot), ['a.checknothing.istio-system']);
      assert.equal(snapshot.errors.length, 1);
      assert.equal(snapshot.errors[0]?.file, join(directory, 'bad.yaml'));
      assert.equal(isSnapshotAcceptable(snapshot), false);
      await rm(join(directory, 'bad.yaml'));
      const store = new ConfigStore(directory, OPTIONS);
      const first = await store.load();
      const second = await store.load();
      assert.equal(isSnapshotAcceptable(first), true);
      assert.ok(second.id > first.id, 'ids increase across loads of one store');
    });
  });

  test('a build that fails outright (a bug in a stage) gives a snapshot with that error, so it is rejected like bad config', async () => {
    /** A stand-in for a bug: the instance stage asks for a template and the registry throws. */
    class BrokenTemplates extends TemplateRegistry {
      override get(): never {
        throw new TypeError('template lookup exploded');
      }
    }
    await withConfigDirectory({ 'a.yaml': instance('a') }, async (directory) => {
      const snapshot = await new ConfigStore(directory, { ...OPTIONS, templates: new BrokenTemplates() }).load();
      assert.equal(isSnapshotAcceptable(snapshot), false);
      assert.equal(snapshot.instances.size, 0);
      assert.deepEqual(
        snapshot.errors.map((error) => [error.file, error.message]),
        [[directory, 'the config could not be built (an internal error; please report it): TypeError: template lookup exploded']],
      );
    });
  });

  test('rebuilds after a change, a new file in a new subdirectory, and a rename; a burst rebuilds once', async () => {
    await withConfigDirectory({ 'a.yaml': instance('a') }, async (directory) => {
      const emitted = new Emitted();
      const store = new ConfigStore(directory, OPTIONS);
      const initial = await store.load();
      const watcher: ConfigWatcher = store.watch(emitted.listener, { debounceMs: 300 });
      try {
        await writeFile(join(directory, 'a.yaml'), instance('renamed'));
        const changed = await emitted.nextSnapshot();
        assert.deepEqual(instanceNames(changed), ['renamed.checknothing.istio-system']);
        assert.ok(changed.id > initial.id);

        await mkdir(join(directory, 'nested'));
        await writeFile(join(directory, 'nested', 'b.yaml'), instance('b'));
        assert.deepEqual(instanceNames(await emitted.nextSnapshot()), ['b.checknothing.istio-system', 'renamed.checknothing.istio-system']);

        await rename(join(directory, 'a.yaml'), join(directory, 'a.yaml.disabled'));
        assert.deepEqual(instanceNames(await emitted.nextSnapshot()), ['b.checknothing.istio-system']);

        await rename(join(directory, 'a.yaml.disabled'), join(directory, 'c.yml'));
        assert.deepEqual(instanceNames(await emitted.nextSnapshot()), ['b.checknothing.istio-system', 'renamed.checknothing.istio-system']);

        // A burst of writes well inside the debounce window: one rebuild sees all of them.
        await Promise.all(['d', 'e', 'f', 'g'].map((name) => writeFile(join(directory, `${name}.yaml`), instance(name))));
        const burst = await emitted.nextSnapshot();
        assert.equal(burst.instances.size, 6);
        assert.equal(emitted.pending, 0);
      } finally {
        await watcher.close();
      }
    });
  });

  test('a file replaced by rename (an atomic write) is seen every time, in the root and in a subdirectory', async () => {
    await withConfigDirectory({ 'a.yaml': instance('a0'), 'sub/b.yaml': instance('b0') }, async (directory) => {
      const emitted = new Emitted();
      const watcher = new ConfigStore(directory, OPTIONS).watch(emitted.listener, { debounceMs: 50 });
      try {
        for (let round = 1; round <= 4; round++) {
          for (const [file, name] of [['a.yaml', 'a'], ['sub/b.yaml', 'b']] as const) {
            // Written and renamed in one turn, as another process would: the watcher reacts only after both.
            const temporary = join(directory, `.${round}-${name}.tmp`);
            writeFileSync(temporary, instance(`${name}${round}`));
            renameSync(temporary, join(directory, file));
            // Each replacement leads to a snapshot holding it (an earlier event may give one without it first).
            for (let snapshot = await emitted.nextSnapshot(); !snapshot.instances.has(`${name}${round}.checknothing.istio-system`); snapshot = await emitted.nextSnapshot());
          }
        }
      } finally {
        await watcher.close();
      }
    });
  });

  test('a broken edit is still emitted (with its errors): the caller decides whether to swap', async () => {
    await withConfigDirectory({ 'a.yaml': instance('a') }, async (directory) => {
      const emitted = new Emitted();
      const watcher = new ConfigStore(directory, OPTIONS).watch(emitted.listener, { debounceMs: 100 });
      try {
        await writeFile(join(directory, 'a.yaml'), 'kind: [unterminated\n');
        const broken = await emitted.nextSnapshot();
        assert.equal(isSnapshotAcceptable(broken), false);
        assert.match(broken.errors[0]?.message ?? '', /^YAML syntax error/);
      } finally {
        await watcher.close();
      }
    });
  });

  test('an edit whose YAML cannot become data (an alias to a missing anchor) is emitted as a snapshot with its error, not as a failure', async () => {
    await withConfigDirectory({ 'a.yaml': instance('a') }, async (directory) => {
      const emitted = new Emitted();
      const watcher = new ConfigStore(directory, OPTIONS).watch(emitted.listener, { debounceMs: 100 });
      try {
        await writeFile(join(directory, 'a.yaml'), yaml('apiVersion: config.istio.io/v1alpha2', 'kind: rule', 'metadata:', '  name: r', 'spec:', '  x: *a6'));
        const broken = await emitted.next();
        assert.ok(!(broken instanceof Error), `emitted as a failure: ${broken instanceof Error ? broken.message : ""}`);
        assert.deepEqual(broken.errors.map((error) => [error.file, error.line, error.message]), [[join(directory, 'a.yaml'), 6, 'YAML error: unresolved alias *a6: no anchor &a6 before it']]);
      } finally {
        await watcher.close();
      }
    });
  });

  test('a config file that can no longer be read is emitted as a snapshot with an error naming it', async () => {
    await withConfigDirectory({ 'one.yaml': instance('one') }, async (directory) => {
      const emitted = new Emitted();
      const file = join(directory, 'one.yaml');
      const watcher = new ConfigStore(file, OPTIONS).watch(emitted.listener, { debounceMs: 100 });
      try {
        await rm(file);
        const gone = await emitted.next();
        assert.ok(!(gone instanceof Error), `emitted as a failure: ${gone instanceof Error ? gone.message : ""}`);
        assert.equal(isSnapshotAcceptable(gone), false);
        assert.match(gone.errors[0]?.message ?? '', /^cannot read config at .*one\.yaml: ENOENT$/);
        assert.equal(gone.errors[0]?.file, file);
      } finally {
        await watcher.close();
      }
    });
  });

  test('watches a single file through its directory', async () => {
    await withConfigDirectory({ 'one.yaml': instance('one'), 'other.yaml': instance('other') }, async (directory) => {
      const emitted = new Emitted();
      const watcher = new ConfigStore(join(directory, 'one.yaml'), OPTIONS).watch(emitted.listener, { debounceMs: 100 });
      try {
        await writeFile(join(directory, 'one.yaml'), instance('uno'));
        assert.deepEqual(instanceNames(await emitted.nextSnapshot()), ['uno.checknothing.istio-system']);
      } finally {
        await watcher.close();
      }
    });
  });

  test('close releases every watcher and timer, even with a rebuild pending', async () => {
    await withConfigDirectory({ 'a.yaml': instance('a'), 'sub/b.yaml': instance('b') }, async (directory) => {
      const before = watchResources();
      const emitted = new Emitted();
      const watcher = new ConfigStore(directory, OPTIONS).watch(emitted.listener, { debounceMs: 60_000 });
      const watching = watchResources();
      assert.ok(watching > before, 'watching holds fs watchers');
      await writeFile(join(directory, 'a.yaml'), instance('changed'));
      // Wait (by loop turns, not time) until the change is seen: the debounce timer appears.
      for (let turn = 0; watchResources() === watching; turn++) {
        assert.ok(turn < 100_000, 'the change was never seen');
        await new Promise((resolve) => setImmediate(resolve));
      }
      assert.ok(process.getActiveResourcesInfo().includes('Timeout'), 'a rebuild is pending');
      await watcher.close();
      await watcher.close();
      assert.equal(watchResources(), before);
      assert.equal(emitted.pending, 0);
    });
  });
});
