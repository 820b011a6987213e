/**
 * What a batch delivery produced. Entries in `retry` go back to the front of the buffer and are
 * sent again after a backoff (a dead endpoint, a 429 or 5xx); `rejected` entries were refused
 * for good (a 4xx) and are dropped and counted. Everything else counts as sent.
 */
export interface SendOutcome<T> {
  readonly retry: readonly T[];
  readonly rejected: number;
  /** Why some entries were not delivered, for the log line (never per entry). */
  readonly error?: Error;
}

/**
 * Where a LogPump delivers batches (a Fluentd forward connection, an Elasticsearch bulk
 * request). `send` must settle once `signal` aborts (the push timeout or the handler closing),
 * returning the undelivered entries as `retry`. It must never throw for delivery problems.
 */
export interface BatchSink<T> {
  send(batch: readonly T[], signal: AbortSignal): Promise<SendOutcome<T>>;
  close(): Promise<void>;
}
