import type { Logger } from 'pino';
import type { ListenerDefaults } from '../../adapters/sdk/environment.js';
import type { Snapshot } from '../config/snapshot.js';
import type { RoutingLease, RoutingSource } from './dispatcher.js';
import { HandlerTable, type HandlerBuildFailure } from './handler-table.js';
import { RoutingTable } from './routing-table.js';

/** One generation of runtime state: a snapshot, its handlers and routes, and who is using it. */
class Generation {
  inFlight = 0;
  retired = false;
  private drained: (() => void) | undefined;

  constructor(
    readonly snapshot: Snapshot | undefined,
    readonly handlers: HandlerTable,
    readonly routes: RoutingTable,
  ) {}

  release(): void {
    this.inFlight--;
    if (this.retired && this.inFlight === 0) this.drained?.();
  }

  /** Resolves when no call uses this generation any more (or after `timeoutMs`). */
  drain(timeoutMs: number): Promise<boolean> {
    if (this.inFlight === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      timer.unref();
      this.drained = () => {
        clearTimeout(timer);
        resolve(true);
      };
    });
  }
}

export interface RuntimeOptions {
  readonly logger: Logger;
  readonly clock?: () => number;
  readonly defaultNamespace?: string;
  /** How long retired handlers wait for in-flight calls before they are closed anyway. */
  readonly drainTimeoutMs?: number;
  readonly buildTimeoutMs?: number;
  /** Where adapters' own listeners go (the server's host and limits). */
  readonly listener?: ListenerDefaults;
}

/** What applying a snapshot did. */
export interface ApplyResult {
  readonly snapshotId: number;
  readonly handlersBuilt: number;
  readonly handlersReused: number;
  readonly failures: readonly HandlerBuildFailure[];
}

/**
 * Holds the active config generation and swaps it. Applying a snapshot builds its handler table
 * (reusing unchanged handlers) and routing table, then switches to it in one step: calls
 * already running finish on the old generation, whose unused handlers close once those calls
 * are done (or after a timeout). Nothing in flight fails because of a swap.
 */
export class MixerRuntime implements RoutingSource {
  private current: Generation;
  private applying: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(private readonly options: RuntimeOptions) {
    this.current = new Generation(undefined, HandlerTable.empty(), RoutingTable.empty(options.defaultNamespace));
  }

  acquire(): RoutingLease {
    const generation = this.current;
    generation.inFlight++;
    return { table: generation.routes, release: () => generation.release() };
  }

  /** The active snapshot (undefined until the first apply). */
  get snapshot(): Snapshot | undefined {
    return this.current.snapshot;
  }

  get handlers(): HandlerTable {
    return this.current.handlers;
  }

  /** Builds and swaps in `snapshot`. Applies are serialized. */
  apply(snapshot: Snapshot): Promise<ApplyResult> {
    const run = this.applying.then(() => this.applyNow(snapshot));
    this.applying = run.catch(() => undefined);
    return run;
  }

  private async applyNow(snapshot: Snapshot): Promise<ApplyResult> {
    if (this.closed) throw new Error('runtime is closed');
    const previous = this.current;
    const handlers = await HandlerTable.build(snapshot, previous.handlers, {
      logger: this.options.logger,
      ...(this.options.clock === undefined ? {} : { clock: this.options.clock }),
      ...(this.options.buildTimeoutMs === undefined ? {} : { buildTimeoutMs: this.options.buildTimeoutMs }),
      ...(this.options.listener === undefined ? {} : { listener: this.options.listener }),
    });
    const routes = RoutingTable.build(snapshot, handlers);
    const next = new Generation(snapshot, handlers, routes);
    this.current = next;
    previous.retired = true;
    const reused = handlers.all().filter((built) => previous.handlers.get(built.name) === built).length;
    void this.retire(previous, next);
    this.options.logger.info(
      { snapshot: snapshot.id, handlers: handlers.all().length, reused, failed: handlers.failures.length, rules: snapshot.rules.length },
      'config snapshot applied',
    );
    return { snapshotId: snapshot.id, handlersBuilt: handlers.all().length - reused, handlersReused: reused, failures: handlers.failures };
  }

  private async retire(previous: Generation, next: Generation | undefined): Promise<void> {
    const drained = await previous.drain(this.options.drainTimeoutMs ?? 10_000);
    if (!drained) this.options.logger.warn({ snapshot: previous.snapshot?.id }, 'old config still had calls in flight at drain timeout; closing its handlers anyway');
    await previous.handlers.closeUnused(next?.handlers, this.options.logger);
  }

  /** Closes every handler; later applies fail. */
  async close(): Promise<void> {
    this.closed = true;
    await this.applying;
    const last = this.current;
    last.retired = true;
    this.current = new Generation(undefined, HandlerTable.empty(), RoutingTable.empty(this.options.defaultNamespace));
    await this.retire(last, undefined);
  }
}
