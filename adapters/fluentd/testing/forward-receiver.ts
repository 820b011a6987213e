import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { decodeMulti, decodeMultiStream, encode, ExtensionCodec } from '@msgpack/msgpack';

/**
 * A Fluentd forward-protocol receiver for tests (Fluentd itself cannot be installed here). It
 * listens on loopback TCP and msgpack-decodes the frames clients really send, in every mode of
 * the forward protocol v1: Message `[tag, time, record, option?]`, Forward
 * `[tag, [[time, record], …], option?]`, PackedForward `[tag, bin, option?]` whose bin is a
 * msgpack stream of `[time, record]`, and CompressedPackedForward (the same, gzipped,
 * `option.compressed: "gzip"`). Times are integers or EventTime (ext type 0). When a frame's
 * option carries a `chunk`, the receiver answers `{ack: chunk}` unless told not to.
 */

/** An event time: whole seconds, plus nanoseconds when the client sent an EventTime. */
export interface EventTimeValue {
  readonly seconds: number;
  readonly nanos: number;
  /** True when it came as an EventTime (ext 0), false for a plain integer. */
  readonly eventTime: boolean;
}

export type ForwardMode = 'Message' | 'Forward' | 'PackedForward' | 'CompressedPackedForward';

export interface ReceivedEvent {
  readonly tag: string;
  readonly time: EventTimeValue;
  readonly record: Record<string, unknown>;
  readonly mode: ForwardMode;
}

export interface ReceivedFrame {
  readonly mode: ForwardMode;
  readonly tag: string;
  readonly events: number;
  readonly chunk: string | undefined;
}

export interface ForwardReceiverOptions {
  /** Port to listen on (0: any free port). */
  readonly port?: number;
  /** Answer acks for frames carrying a chunk id (default true). */
  readonly answerAcks?: boolean;
}

const EXT_EVENT_TIME = 0;

function eventTimeCodec(): ExtensionCodec {
  const codec = new ExtensionCodec();
  codec.register({
    type: EXT_EVENT_TIME,
    encode: () => null,
    decode: (data: Uint8Array): EventTimeValue => {
      const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
      return { seconds: view.getUint32(0), nanos: view.getUint32(4), eventTime: true };
    },
  });
  return codec;
}

export class ForwardReceiver {
  readonly events: ReceivedEvent[] = [];
  readonly frames: ReceivedFrame[] = [];
  /** Frames that did not follow the protocol, with why. */
  readonly malformed: string[] = [];
  /** Connections accepted so far. */
  accepted = 0;
  answerAcks: boolean;

  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly codec = eventTimeCodec();
  private listeners: Array<() => void> = [];

  private constructor(
    private boundPort: number,
    options: ForwardReceiverOptions,
  ) {
    this.answerAcks = options.answerAcks ?? true;
  }

  static async start(options: ForwardReceiverOptions = {}): Promise<ForwardReceiver> {
    const receiver = new ForwardReceiver(options.port ?? 0, options);
    await receiver.listen();
    return receiver;
  }

  get port(): number {
    return this.boundPort;
  }

  /** `127.0.0.1:<port>`, for the adapter's `address`. */
  get address(): string {
    return `127.0.0.1:${this.boundPort}`;
  }

  get listening(): boolean {
    return this.server !== undefined;
  }

  /** Listens again on the same port after `stop()`. */
  async listen(): Promise<void> {
    if (this.server !== undefined) return;
    const server = createServer((socket) => this.accept(socket));
    server.listen(this.boundPort, '127.0.0.1');
    await once(server, 'listening');
    const address = server.address();
    if (address !== null && typeof address === 'object') this.boundPort = address.port;
    this.server = server;
  }

  /** Stops listening and cuts every open connection (a receiver that went down). */
  async stop(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Resolves once at least `count` events have arrived; rejects after `timeoutMs` (a bound, not a measurement). */
  waitForEvents(count: number, timeoutMs = 5000): Promise<ReceivedEvent[]> {
    if (this.events.length >= count) return Promise.resolve(this.events.slice());
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.listeners = this.listeners.filter((listener) => listener !== check);
        reject(new Error(`expected ${count} events, received ${this.events.length} within ${timeoutMs}ms`));
      }, timeoutMs);
      const check = (): void => {
        if (this.events.length < count) return;
        clearTimeout(timer);
        this.listeners = this.listeners.filter((listener) => listener !== check);
        resolve(this.events.slice());
      };
      this.listeners.push(check);
    });
  }

  private accept(socket: Socket): void {
    this.accepted++;
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    void this.read(socket);
  }

  private async read(socket: Socket): Promise<void> {
    try {
      for await (const frame of decodeMultiStream(socket, { extensionCodec: this.codec })) this.handle(frame, socket);
    } catch (error) {
      if (!socket.destroyed) this.malformed.push(`undecodable stream: ${(error as Error).message}`);
      socket.destroy();
    }
  }

  private handle(frame: unknown, socket: Socket): void {
    if (!Array.isArray(frame) || frame.length < 2 || typeof frame[0] !== 'string') {
      this.malformed.push(`not a [tag, …] array: ${JSON.stringify(frame)}`);
      return;
    }
    const tag = frame[0];
    const second: unknown = frame[1];
    let mode: ForwardMode;
    let entries: Array<[unknown, unknown]>;
    let option: unknown;
    if (second instanceof Uint8Array) {
      option = frame[2];
      const compressed = isRecord(option) && option['compressed'] === 'gzip';
      mode = compressed ? 'CompressedPackedForward' : 'PackedForward';
      const bytes = compressed ? gunzipSync(second) : second;
      entries = [...decodeMulti(bytes, { extensionCodec: this.codec })] as Array<[unknown, unknown]>;
    } else if (Array.isArray(second)) {
      mode = 'Forward';
      option = frame[2];
      entries = second as Array<[unknown, unknown]>;
    } else {
      mode = 'Message';
      option = frame[3];
      entries = [[second, frame[2]]];
    }
    for (const entry of entries) {
      const time = toTime(Array.isArray(entry) ? entry[0] : undefined);
      const record = Array.isArray(entry) ? entry[1] : undefined;
      if (time === undefined || !isRecord(record)) {
        this.malformed.push(`bad ${mode} entry: ${JSON.stringify(entry)}`);
        continue;
      }
      this.events.push({ tag, time, record, mode });
    }
    const chunk = isRecord(option) && typeof option['chunk'] === 'string' ? option['chunk'] : undefined;
    this.frames.push({ mode, tag, events: entries.length, chunk });
    if (chunk !== undefined && this.answerAcks) socket.write(encode({ ack: chunk }));
    for (const listener of this.listeners.slice()) listener();
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

function toTime(value: unknown): EventTimeValue | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) return { seconds: value, nanos: 0, eventTime: false };
  if (isRecord(value) && value['eventTime'] === true) return value as unknown as EventTimeValue;
  return undefined;
}
