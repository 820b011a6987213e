import type { Logger } from 'pino';
import type { ListenerDefaults } from '../../adapters/sdk/environment.js';
import type { Snapshot } from '../config/snapshot.js';
import { TimeSlicer } from '../config/time-slicer.js';
import { MixerError } from '../errors/mixer-error.js';
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
  /** How long one slice of building routes may hold the event loop (see TimeSlicer). */
  readonly sliceMs?: number;
  /** Where adapters' own listeners go (the server's host and limits). */
  readonly listener?: ListenerDefaults;
}

/** What applying a snapshot did. */
export interface ApplyResult {
  readonly snapshotId: number;
  /** False when a newer snapshot arrived before this one was swapped in: it never served. */
  readonly applied: boolean;
  readonly handlersBuilt: number;
  readonly handlersReused: number;
  readonly failures: readonly HandlerBuildFailure[];
}

/** The reason a build is called off: a newer snapshot was applied meanwhile. */
class SupersededError extends MixerError {
  constructor(message: string) {
    super('MIXER_ERR_CONFIG_SUPERSEDED', message);
  }
}

/**
 * Holds the active config generation and swaps it. Applying a snapshot builds its handler table
 * (reusing unchanged handlers) and routing table, then switches to it in one step: calls
 * already running finish on the old generation, whose unused handlers close once those calls
 * are done (or after a timeout). Nothing in flight fails because of a swap.
 *
 * Building shares the event loop with requests (in slices, see TimeSlicer), so requests go on
 * being answered by the active generation while a large config builds. Applies run one at a
 * time, in call order; a snapshot applied while an older one is still building calls that
 * build off, so only the newest is swapped in. Handlers built for a called-off snapshot are kept
 * for the next build to reuse, and closed when it does not.
 */
export class MixerRuntime implements RoutingSource {
  private current: Generation;
  private applying: Promise<unknown> = Promise.resolve();
  /** Calls off the newest apply that has not finished. */
  private latest: AbortController | undefined;
  /** Handlers built for a snapshot that was called off: never served, reusable by the next build. */
  private spare: HandlerTable | undefined;
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

  /**
   * Builds and swaps in `snapshot`, after the applies called before it. Resolves with
   * `applied: false` when a later apply called this one off before its swap.
   */
  apply(snapshot: Snapshot): Promise<ApplyResult> {
    this.latest?.abort(new SupersededError(`superseded by snapshot ${snapshot.id}`));
    const controller = new AbortController();
    this.latest = controller;
    const run = this.applying.then(() => this.applyNow(snapshot, controller.signal));
    this.applying = run.catch(() => undefined);
    return run;
  }

  private async applyNow(snapshot: Snapshot, signal: AbortSignal): Promise<ApplyResult> {
    if (this.closed) throw new Error('runtime is closed');
    if (signal.aborted) return this.superseded(snapshot, undefined);
    const slicer = new TimeSlicer({ signal, ...(this.options.sliceMs === undefined ? {} : { sliceMs: this.options.sliceMs }) });
    const previous = this.current;
    const handlers = await HandlerTable.build(snapshot, [previous.handlers, this.spare], {
      logger: this.options.logger,
      slicer,
      ...(this.options.clock === undefined ? {} : { clock: this.options.clock }),
      ...(this.options.buildTimeoutMs === undefined ? {} : { buildTimeoutMs: this.options.buildTimeoutMs }),
      ...(this.options.listener === undefined ? {} : { listener: this.options.listener }),
    });
    let routes: RoutingTable;
    try {
      routes = await slicer.run(RoutingTable.build(snapshot, handlers));
    } catch (error) {
      if (signal.aborted && error === signal.reason) return this.superseded(snapshot, handlers);
      this.keepSpare(handlers);
      throw error;
    }
    const next = new Generation(snapshot, handlers, routes);
    this.current = next;
    previous.retired = true;
    const reused = handlers.all().filter((built) => previous.handlers.get(built.name) === built).length;
    void this.retire(previous, next);
    this.keepSpare(undefined, previous.handlers);
    this.options.logger.info(
      { snapshot: snapshot.id, handlers: handlers.all().length, reused, failed: handlers.failures.length, rules: snapshot.rules.length },
      'config snapshot applied',
    );
    return { snapshotId: snapshot.id, applied: true, handlersBuilt: handlers.all().length - reused, handlersReused: reused, failures: handlers.failures };
  }

  private superseded(snapshot: Snapshot, handlers: HandlerTable | undefined): ApplyResult {
    if (handlers !== undefined) this.keepSpare(handlers);
    this.options.logger.info({ snapshot: snapshot.id }, 'config snapshot superseded by a newer one before it was swapped in');
    return { snapshotId: snapshot.id, applied: false, handlersBuilt: 0, handlersReused: 0, failures: [] };
  }

  /**
   * Makes `handlers` the spare table. The old spare's handlers that no table still in use holds
   * are closed now: it only ever holds handlers of the active table (which `retiring` is, right
   * after a swap) and ones built for it, which never served a call.
   */
  private keepSpare(handlers: HandlerTable | undefined, retiring?: HandlerTable): void {
    const old = this.spare;
    this.spare = handlers;
    if (old !== undefined && old !== handlers) void old.closeUnused([handlers, this.current.handlers, retiring], this.options.logger);
  }

  private async retire(previous: Generation, next: Generation | undefined): Promise<void> {
    const drained = await previous.drain(this.options.drainTimeoutMs ?? 10_000);
    if (!drained) this.options.logger.warn({ snapshot: previous.snapshot?.id }, 'old config still had calls in flight at drain timeout; closing its handlers anyway');
    await previous.handlers.closeUnused([next?.handlers], this.options.logger);
  }

  /** Calls off a build in progress, then closes every handler; later applies fail. */
  async close(): Promise<void> {
    this.closed = true;
    this.latest?.abort(new SupersededError('the runtime is closing'));
    await this.applying;
    const spare = this.spare;
    this.spare = undefined;
    const last = this.current;
    last.retired = true;
    this.current = new Generation(undefined, HandlerTable.empty(), RoutingTable.empty(this.options.defaultNamespace));
    await Promise.all([this.retire(last, undefined), spare?.closeUnused([last.handlers], this.options.logger)]);
  }
}
