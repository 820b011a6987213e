import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';

import { daysToMs, RotatingFileSink } from './rotating-file-sink.js';

describe('RotatingFileSink', () => {
  let directory = '';
  let clock = Date.UTC(2020, 0, 1);
  const errors: Error[] = [];
  const options = (extra: { maxBytes?: number; maxAgeMs?: number; maxFiles?: number } = {}) => ({
    maxBytes: 20,
    maxAgeMs: 0,
    maxFiles: 0,
    now: () => clock,
    onError: (error: Error) => errors.push(error),
    ...extra,
  });

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'rotating-sink-'));
    clock = Date.UTC(2020, 0, 1);
    errors.length = 0;
  });
  afterEach(() => rm(directory, { recursive: true, force: true }));

  it('rotates before a batch would push the file past maxBytes', async () => {
    const path = join(directory, 'app.log');
    const sink = await RotatingFileSink.open(path, options());
    void sink.write('0123456789\n');
    void sink.write('abcdefgh\n');
    await sink.flush();
    clock += 1;
    void sink.write('next\n');
    await sink.close();
    assert.deepEqual((await readdir(directory)).sort(), ['app-2020-01-01T00-00-00.001.log', 'app.log']);
    assert.equal(await readFile(join(directory, 'app-2020-01-01T00-00-00.001.log'), 'utf8'), '0123456789\nabcdefgh\n');
    assert.equal(await readFile(path, 'utf8'), 'next\n');
    assert.deepEqual(errors, []);
  });

  it('a batch’s promise resolves once the batch is in the file; batches queued meanwhile share the next write', async () => {
    const path = join(directory, 'app.log');
    const sink = await RotatingFileSink.open(path, options({ maxBytes: 1024 }));
    const first = sink.write('a\n');
    const second = sink.write('b\n');
    const third = sink.write('c\n');
    assert.ok(first instanceof Promise && second instanceof Promise && third instanceof Promise);
    assert.equal(second, third, 'queued together, written together');
    await first;
    assert.match(readFileSync(path, 'utf8'), /^a\n/);
    await second;
    assert.equal(readFileSync(path, 'utf8'), 'a\nb\nc\n');
    await sink.close();
    assert.deepEqual(errors, []);
  });

  it('counts what the file already holds and never splits a batch', async () => {
    const path = join(directory, 'app.log');
    await writeFile(path, 'x'.repeat(15));
    const sink = await RotatingFileSink.open(path, options());
    void sink.write('a much longer line than twenty bytes\n');
    await sink.close();
    assert.equal(await readFile(path, 'utf8'), 'a much longer line than twenty bytes\n');
    assert.equal((await readdir(directory)).length, 2);
  });

  it('moves a taken rotation name on by a millisecond', async () => {
    const path = join(directory, 'app.log');
    const sink = await RotatingFileSink.open(path, options({ maxBytes: 1 }));
    for (const line of ['a\n', 'b\n', 'c\n']) {
      void sink.write(line);
      await sink.flush();
    }
    await sink.close();
    assert.deepEqual((await readdir(directory)).sort(), ['app-2020-01-01T00-00-00.000.log', 'app-2020-01-01T00-00-00.001.log', 'app.log']);
    assert.equal(await readFile(join(directory, 'app-2020-01-01T00-00-00.001.log'), 'utf8'), 'b\n');
  });

  it('keeps at most maxFiles rotated files, newest first', async () => {
    const path = join(directory, 'app.log');
    const sink = await RotatingFileSink.open(path, options({ maxBytes: 1, maxFiles: 2 }));
    for (let index = 0; index < 5; index++) {
      void sink.write(`${index}\n`);
      await sink.flush();
      clock += 1000;
    }
    await sink.close();
    assert.deepEqual((await readdir(directory)).sort(), ['app-2020-01-01T00-00-03.000.log', 'app-2020-01-01T00-00-04.000.log', 'app.log']);
    assert.equal(await readFile(join(directory, 'app-2020-01-01T00-00-03.000.log'), 'utf8'), '2\n');
    assert.equal(await readFile(path, 'utf8'), '4\n');
  });

  it('deletes rotated files older than maxAge, and leaves other files alone', async () => {
    const path = join(directory, 'app.log');
    await writeFile(join(directory, 'app-2019-01-01T00-00-00.000.log'), 'ancient\n');
    await writeFile(join(directory, 'other.log'), 'not ours\n');
    const sink = await RotatingFileSink.open(path, options({ maxBytes: 1, maxAgeMs: daysToMs(30) }));
    void sink.write('a\n');
    await sink.flush();
    void sink.write('b\n');
    await sink.close();
    assert.deepEqual((await readdir(directory)).sort(), ['app-2020-01-01T00-00-00.000.log', 'app.log', 'other.log']);
  });

  it('refuses writes after close', async () => {
    const sink = await RotatingFileSink.open(join(directory, 'app.log'), options());
    await sink.close();
    assert.equal(sink.write('late\n'), false);
  });
});
