import { randomUUID } from 'node:crypto';

/**
 * Check deduplication ids as Envoy makes them: one random UUID per client as the base, plus an
 * incrementing counter. One id per logical Check, reused by its retries, so Mixer's quota
 * adapters do not allocate twice.
 */
export class DeduplicationIds {
  private readonly base: string;
  private counter = 0;

  constructor(uuid: () => string = randomUUID) {
    this.base = uuid();
  }

  next(): string {
    return `${this.base}${this.counter++}`;
  }
}
