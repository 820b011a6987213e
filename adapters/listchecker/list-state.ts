import { createHash } from 'node:crypto';
import type { AdapterEnvironment, Cancel } from '../sdk/environment.js';
import { buildEntryList, type EntryList } from './entry-list.js';
import { fetchList } from './list-provider.js';
import type { ListCheckerParams } from './params.js';

/**
 * How long building a handler waits for the first fetch. A slower provider does not fail the
 * build (Mixer bounds build time): checks answer UNAVAILABLE until the list arrives.
 */
export const FIRST_FETCH_WAIT_MS = 5000;

/**
 * The list a handler checks against and how it is kept fresh (Istio's fetch/refresh/purge):
 * fetched when the handler is built and every refreshInterval; a failed fetch (network error,
 * non-200, bad data) keeps the old list and records the error; an unchanged body (same SHA-1)
 * only postpones the purge; no successful refresh for `ttl` purges the list. Without a
 * provider the list is built once from the overrides.
 */
export class ListState {
  private list: EntryList | undefined;
  private error: string | undefined;
  private latestSha: string | undefined;
  private cancelPurge: Cancel | undefined;
  private refreshing: Promise<void> | undefined;
  private purged = false;

  constructor(
    private readonly params: ListCheckerParams,
    private readonly env: AdapterEnvironment,
  ) {}

  /** The current list, or undefined when none is loaded (never fetched, or purged). */
  get current(): EntryList | undefined {
    return this.list;
  }

  /** Why there is no list: the last fetch error, a purge, or a first fetch still running. */
  get unavailableReason(): string {
    if (this.error !== undefined) return this.error;
    if (this.purged) return 'the list was purged after ttl without a successful refresh';
    return `the list is still being fetched from ${this.params.providerUrl}`;
  }

  /**
   * Loads the list for the first time (waiting at most FIRST_FETCH_WAIT_MS for the provider) and
   * starts refreshing it every refreshInterval.
   */
  async start(): Promise<void> {
    if (this.params.providerUrl === '') {
      this.list = buildEntryList(this.params.entryType, '', this.params.overrides);
      return;
    }
    this.resetPurgeTimer();
    const first = this.refresh();
    let cancelWait: Cancel = () => undefined;
    const waited = new Promise<void>((resolve) => {
      cancelWait = this.env.schedule(resolve, FIRST_FETCH_WAIT_MS);
    });
    await Promise.race([first, waited]);
    cancelWait();
    this.env.scheduleInterval(() => this.refresh(), this.params.refreshInterval.toMillis());
  }

  /** One refresh; a refresh still running is awaited instead of starting another. */
  refresh(): Promise<void> {
    this.refreshing ??= this.fetchAndInstall().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  /** Resolves when no refresh is running (for tests and readiness checks). */
  async settled(): Promise<void> {
    while (this.refreshing !== undefined) await this.refreshing;
  }

  private async fetchAndInstall(): Promise<void> {
    const url = this.params.providerUrl;
    const outcome = await fetchList(url, this.env, this.params.refreshInterval.toMillis());
    if (this.env.signal.aborted) return;
    if (!outcome.ok) {
      this.fail(outcome.error);
      return;
    }
    const sha = createHash('sha1').update(outcome.body).digest('hex');
    if (sha === this.latestSha && this.list !== undefined) {
      this.env.logger.debug({ url }, 'fetched list is unchanged');
      this.error = undefined;
      this.resetPurgeTimer();
      return;
    }
    let list: EntryList;
    try {
      list = buildEntryList(this.params.entryType, outcome.body, this.params.overrides);
    } catch (error) {
      this.fail(`could not parse data from ${url}: ${(error as Error).message}`);
      return;
    }
    this.env.logger.info({ url, entries: list.size }, 'installing updated list');
    this.list = list;
    this.purged = false;
    this.error = undefined;
    this.latestSha = sha;
    this.resetPurgeTimer();
  }

  private fail(error: string): void {
    this.env.logger.error(error);
    this.error = error;
  }

  private resetPurgeTimer(): void {
    this.cancelPurge?.();
    this.cancelPurge = this.env.schedule(() => this.purge(), this.params.ttl.toMillis());
  }

  private purge(): void {
    if (this.list === undefined) return;
    this.env.logger.warn({ url: this.params.providerUrl }, 'purging list due to inability to refresh it in time');
    this.list = undefined;
    this.purged = true;
  }
}
