import type { Client } from '@elastic/elasticsearch';
import { MixerError } from '../../core/errors/mixer-error.js';
import type { BatchSink, SendOutcome } from '../log-buffer/batch-sink.js';
import type { Sized } from '../log-buffer/bounded-queue.js';
import type { BulkDocument } from './documents.js';
import type { BulkAction } from './params.js';

/** How documents are written: the bulk action and, optionally, an ingest pipeline. */
export interface BulkOptions {
  readonly action: BulkAction;
  /** '' for none. */
  readonly pipeline: string;
}

/** A bulk request or some of its items failed. */
export class BulkDeliveryError extends MixerError {
  constructor(message: string, cause?: unknown) {
    super('ADPT_ERR_ELASTICSEARCH_BULK', message, { cause });
  }
}

/** The bulk action line for a document: `{"index":{"_index":"<name>"}}` (or `create`). */
export function actionLine(action: BulkAction, index: string): string {
  return `{"${action}":{"_index":${JSON.stringify(index)}}}`;
}

/** About the bytes a document adds to a bulk body: its action line, its source and two newlines. */
export function bulkBytes(document: BulkDocument): number {
  return document.index.length + 24 + document.source.length;
}

/** 429 and 5xx are worth retrying; other statuses will not change. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

/**
 * Sends batches with the bulk API: one NDJSON body of action and source lines. A request that
 * fails as a whole (no connection, timeout, 429, 5xx) is retried as a whole; a 4xx refuses the
 * batch for good. When Elasticsearch answers per item, items with 429 or 5xx are retried and
 * items with a 4xx (a mapping conflict, a bad document) are dropped and counted. The client's
 * own retries are off: the LogPump's backoff spaces the attempts.
 */
export class BulkSink implements BatchSink<Sized<BulkDocument>> {
  constructor(
    private readonly client: Client,
    private readonly options: BulkOptions,
  ) {}

  async send(batch: ReadonlyArray<Sized<BulkDocument>>, signal: AbortSignal): Promise<SendOutcome<Sized<BulkDocument>>> {
    const operations: string[] = [];
    for (const entry of batch) operations.push(actionLine(this.options.action, entry.value.index), entry.value.source);
    let response;
    try {
      const pipeline = this.options.pipeline === '' ? {} : { pipeline: this.options.pipeline };
      response = await this.client.bulk<string>({ operations, ...pipeline }, { signal, maxRetries: 0 });
    } catch (error) {
      return this.requestFailed(batch, error);
    }
    if (!response.errors) return { retry: [], rejected: 0 };
    const retry: Array<Sized<BulkDocument>> = [];
    let rejected = 0;
    let firstRejection: string | undefined;
    let firstRetry: string | undefined;
    batch.forEach((entry, position) => {
      const item = response.items[position];
      const result = item?.index ?? item?.create;
      // An answer without this item cannot tell what happened to it: retry.
      const status = result?.status ?? 503;
      if (status < 300) return;
      const reason = `${status} ${result?.error?.type ?? 'missing item'}: ${result?.error?.reason ?? ''}`.trim();
      if (isRetryableStatus(status)) {
        retry.push(entry);
        firstRetry ??= reason;
      } else {
        rejected++;
        firstRejection ??= reason;
      }
    });
    const summary = [firstRejection && `${rejected} rejected (first: ${firstRejection})`, firstRetry && `${retry.length} to retry (first: ${firstRetry})`]
      .filter((part) => typeof part === 'string' && part !== '')
      .join('; ');
    return { retry, rejected, error: new BulkDeliveryError(`bulk request had item failures: ${summary}`) };
  }

  close(): Promise<void> {
    return this.client.close();
  }

  private requestFailed(batch: ReadonlyArray<Sized<BulkDocument>>, error: unknown): SendOutcome<Sized<BulkDocument>> {
    const status = responseStatus(error);
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    if (status !== undefined && !isRetryableStatus(status)) {
      return { retry: [], rejected: batch.length, error: new BulkDeliveryError(`bulk request refused: ${message}`, error) };
    }
    return { retry: batch, rejected: 0, error: new BulkDeliveryError(`bulk request failed: ${message}`, error) };
  }
}

/**
 * The HTTP status of the client's ResponseError, or undefined for other failures. Checked by
 * name rather than instanceof: the package ships separate ESM and CommonJS builds, each with
 * its own error classes.
 */
function responseStatus(error: unknown): number | undefined {
  if (!(error instanceof Error) || error.name !== 'ResponseError') return undefined;
  const status = (error as Error & { statusCode?: unknown }).statusCode;
  return typeof status === 'number' ? status : undefined;
}
