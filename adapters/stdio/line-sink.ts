import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';

/** Bytes a sink may hold unwritten; batches beyond that are dropped (and counted) instead of growing memory. */
export const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

/**
 * Where formatted lines go. `write` queues a whole batch and never blocks on I/O; what it
 * returns tells when the batch has been written to the OS (the write system call returned):
 * from then on a killed Mixer cannot lose it (a crash of the machine still can: nothing is
 * fsync'd). Mixer acknowledges a Report only after that.
 */
export interface LineSink {
  /**
   * Queues `text` (one or more complete lines). Returns a promise that resolves once it is
   * written to the OS and rejects if the write failed (callers need not handle the rejection:
   * the sink marks it handled), or false when it was dropped because too much is queued.
   */
  write(text: string): Promise<void> | false;
  /** Resolves once everything queued so far is written. */
  flush(): Promise<void>;
  /** Flushes, then releases the file (process streams stay open). */
  close(): Promise<void>;
}

/** A sink over a Node stream: stdout, stderr, or a file opened for appending. */
export class StreamSink implements LineSink {
  private lastWrite: Promise<void> = Promise.resolve();

  private constructor(
    private readonly stream: Writable,
    private readonly owned: boolean,
    private readonly onError: (error: Error) => void,
  ) {
    stream.on('error', onError);
  }

  /** A process stream (stdout or stderr), left open on close. */
  static forProcessStream(stream: Writable, onError: (error: Error) => void): StreamSink {
    return new StreamSink(stream, false, onError);
  }

  /** Opens `path` for appending; rejects if it cannot be opened. */
  static async openFile(path: string, onError: (error: Error) => void): Promise<StreamSink> {
    const stream = createWriteStream(path, { flags: 'a' });
    await once(stream, 'open');
    return new StreamSink(stream, true, onError);
  }

  write(text: string): Promise<void> | false {
    if (this.stream.writableLength > MAX_BUFFERED_BYTES || this.stream.destroyed) return false;
    // The callback runs once the stream has handed the text to the OS (at once for stdout and
    // stderr on files and pipes, which Node writes synchronously; after the fs write for FILE).
    const written = new Promise<void>((resolve, reject) => this.stream.write(text, (error) => (error === null || error === undefined ? resolve() : reject(error))));
    // Writes complete in order, so the last one settling means everything queued is written.
    this.lastWrite = written.catch(ignore);
    return written;
  }

  flush(): Promise<void> {
    return this.lastWrite;
  }

  async close(): Promise<void> {
    if (!this.owned) return this.flush();
    if (this.stream.destroyed || this.stream.writableFinished) return;
    this.stream.end();
    await once(this.stream, 'finish').catch((error: unknown) => this.onError(error as Error));
  }
}

/** Marks a write's rejection as handled: the stream's error is reported through onError as well. */
export function ignore(): void {}
