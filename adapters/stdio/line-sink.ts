import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';

/** Bytes a sink may hold unwritten; batches beyond that are dropped (and counted) instead of growing memory. */
export const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

/** Where formatted lines go. `write` queues a whole batch and never blocks on I/O. */
export interface LineSink {
  /** Queues `text` (one or more complete lines); false when it was dropped because too much is queued. */
  write(text: string): boolean;
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

  write(text: string): boolean {
    if (this.stream.writableLength > MAX_BUFFERED_BYTES || this.stream.destroyed) return false;
    // Writes complete in order, so the last one's callback means everything queued is written.
    this.lastWrite = new Promise<void>((resolve) => this.stream.write(text, () => resolve()));
    return true;
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
