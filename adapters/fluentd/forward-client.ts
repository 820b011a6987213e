import type { Socket } from 'node:net';
import fluentLogger from 'fluent-logger';
import type { Logger } from 'pino';
import { MixerError } from '../../core/errors/mixer-error.js';
import type { BatchSink, SendOutcome } from '../log-buffer/batch-sink.js';
import type { Sized } from '../log-buffer/bounded-queue.js';
import type { HostPort } from './address.js';
import type { FluentEvent } from './fluent-event.js';
import { abandon, currentSocket, onSenderEvent, type Sender } from './fluent-sender-guard.js';
import type { EventMode } from './params.js';

/** A delivery to the forward endpoint failed: connection refused or lost, or an ack missing or wrong. */
export class ForwardDeliveryError extends MixerError {
  constructor(message: string, cause?: unknown) {
    super('ADPT_ERR_FLUENTD_DELIVERY', message, { cause });
  }
}

export interface ForwardClientOptions {
  readonly endpoint: HostPort;
  readonly eventMode: EventMode;
  readonly requireAckResponse: boolean;
  readonly subSecondPrecision: boolean;
  /** How long fluent-logger waits for an ack (the push timeout). */
  readonly ackTimeoutMs: number;
  /** PackedForward: fluent-logger writes a tag's events at once when they reach this size. */
  readonly maxBatchBytes: number;
}

type EventTimeClass = new (epoch: number, nano: number) => object;
// fluent-logger's typings declare EventTime as an instance; at runtime it is the class its codec packs as ext type 0.
const EventTime = fluentLogger.EventTime as unknown as EventTimeClass;

/**
 * Delivers batches of events to a Fluentd forward input through one fluent-logger sender at a
 * time. A batch is emitted in full and settles when fluent-logger has written (or, with
 * `requireAckResponse`, the receiver has acknowledged) every event. When the connection fails,
 * the peer ends it, or the push timeout aborts the delivery, the sender is abandoned and the
 * events not yet confirmed come back for a retry; the next batch connects afresh (the LogPump
 * spaces attempts with backoff). fluent-logger's own reconnect timer is off.
 */
export class ForwardClient implements BatchSink<Sized<FluentEvent>> {
  private sender: Sender | undefined;
  /** Each sender's latest socket, kept because fluent-logger forgets it on errors. */
  private readonly sockets = new WeakMap<Sender, Socket>();
  /** Fails the delivery in flight on `sender`, if any. */
  private failDelivery: ((sender: Sender, error: Error) => void) | undefined;

  constructor(
    private readonly options: ForwardClientOptions,
    private readonly logger: Logger,
  ) {}

  send(batch: ReadonlyArray<Sized<FluentEvent>>, signal: AbortSignal): Promise<SendOutcome<Sized<FluentEvent>>> {
    const sender = this.connection();
    return new Promise((resolve) => {
      const confirmed = new Array<boolean>(batch.length).fill(false);
      const unencodable = new Array<boolean>(batch.length).fill(false);
      let firstEncodingError: ForwardDeliveryError | undefined;
      let waiting = batch.length;
      let settled = false;
      const finish = (error?: Error): void => {
        if (settled) return;
        settled = true;
        this.failDelivery = undefined;
        signal.removeEventListener('abort', onAbort);
        if (error !== undefined) this.drop(sender);
        const retry = batch.filter((_, index) => !confirmed[index] && !unencodable[index]);
        const rejected = unencodable.filter(Boolean).length;
        const failure = error ?? firstEncodingError ?? (retry.length > 0 ? new ForwardDeliveryError('delivery incomplete') : undefined);
        resolve(failure === undefined ? { retry, rejected } : { retry, rejected, error: failure });
      };
      const onAbort = (): void => finish(new ForwardDeliveryError(`forward delivery to ${this.endpointText} abandoned: ${describe(signal.reason)}`, signal.reason));
      if (signal.aborted) {
        onAbort();
        return;
      }
      this.failDelivery = (failed, error) => {
        if (failed === sender) finish(error);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      batch.forEach((entry, index) => {
        if (settled) return;
        const event = entry.value;
        try {
          sender.emit(event.tag, event.record, this.eventTime(event), (error?: Error) => {
            if (settled) return;
            if (error !== undefined) {
              finish(this.deliveryError(error));
              return;
            }
            confirmed[index] = true;
            if (--waiting === 0) finish();
          });
        } catch (error) {
          // An event fluent-logger cannot encode would fail every retry: refuse it for good.
          unencodable[index] = true;
          firstEncodingError ??= this.deliveryError(error);
          if (--waiting === 0) finish();
        }
      });
    });
  }

  close(): Promise<void> {
    if (this.sender !== undefined) this.drop(this.sender);
    return Promise.resolve();
  }

  private connection(): Sender {
    if (this.sender !== undefined) return this.sender;
    const { endpoint, eventMode, requireAckResponse, ackTimeoutMs, maxBatchBytes } = this.options;
    const options: fluentLogger.Options & { enableReconnect: boolean } = {
      host: endpoint.host,
      port: endpoint.port,
      eventMode,
      requireAckResponse,
      ackResponseTimeout: ackTimeoutMs,
      // The LogPump batches; fluent-logger only groups one batch's events per tag.
      flushInterval: 1,
      sendQueueSizeLimit: maxBatchBytes,
      enableReconnect: false,
      internalLogger: { info: () => undefined, error: (message: unknown) => this.logger.debug({ detail: describe(message) }, 'fluent-logger') },
    };
    const sender = fluentLogger.createFluentSender<Record<string, unknown>>('', options);
    // Persistent listeners: errors between deliveries never go unhandled, and a dead connection is dropped.
    onSenderEvent(sender, 'error', (error) => this.broken(sender, this.deliveryError(error)));
    onSenderEvent(sender, 'connect', () => {
      const socket = currentSocket(sender);
      if (socket === undefined) return;
      this.sockets.set(sender, socket);
      // fluent-logger does not watch for the peer ending the connection; drop the sender before it writes again.
      socket.once('end', () => this.broken(sender, new ForwardDeliveryError(`${this.endpointText} closed the connection`)));
    });
    this.sender = sender;
    return sender;
  }

  private broken(sender: Sender, error: Error): void {
    this.drop(sender);
    this.failDelivery?.(sender, error);
  }

  /** Abandons a sender (idempotent); the next delivery opens a new connection. */
  private drop(sender: Sender): void {
    if (this.sender === sender) this.sender = undefined;
    abandon(sender, this.sockets.get(sender));
    this.sockets.delete(sender);
  }

  private deliveryError(cause: unknown): ForwardDeliveryError {
    return cause instanceof ForwardDeliveryError ? cause : new ForwardDeliveryError(`forward delivery to ${this.endpointText} failed: ${describe(cause)}`, cause);
  }

  private eventTime(event: FluentEvent): fluentLogger.Timestamp {
    // fluent-logger packs an EventTime as ext type 0 (seconds and nanoseconds); its typings only list number | Date.
    if (this.options.subSecondPrecision) return new EventTime(event.time.seconds, event.time.nanos) as unknown as Date;
    // A Date is always truthy (fluent-logger treats a 0 time as "none"); it sends whole seconds.
    return new Date(event.time.seconds * 1000);
  }

  private get endpointText(): string {
    return `${this.options.endpoint.host}:${this.options.endpoint.port}`;
  }
}

function describe(value: unknown): string {
  if (value instanceof Error) return value.message;
  return String(value);
}
