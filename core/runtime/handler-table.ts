import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import type { Handler } from '../../adapters/sdk/adapter-info.js';
import { ManagedEnvironment, type ListenerDefaults } from '../../adapters/sdk/environment.js';
import type { HandlerEntry, Snapshot } from '../config/snapshot.js';
import type { TimeSlicer } from '../config/time-slicer.js';

/** A handler built from config, with the environment whose timers it owns. */
export interface BuiltHandler {
  readonly name: string;
  readonly adapterName: string;
  readonly signature: string;
  readonly handler: Handler;
  readonly environment: ManagedEnvironment;
  /** The handler's own metrics (default labels: handler, adapter). */
  readonly metrics: Registry;
}

/** A handler that could not be built: it is left out and its rules' actions are not dispatched. */
export interface HandlerBuildFailure {
  readonly name: string;
  readonly adapterName: string;
  readonly message: string;
}

export interface HandlerTableOptions {
  readonly logger: Logger;
  readonly clock?: () => number;
  /** How long an adapter may take to build a handler. */
  readonly buildTimeoutMs?: number;
  /** Shares the event loop while many handlers are built (adapters' builds may run synchronously). */
  readonly slicer?: TimeSlicer;
  /** Where adapters' own listeners go (the server's host and limits). */
  readonly listener?: ListenerDefaults;
}

/**
 * The built handlers of one snapshot. Building reuses every handler of the previous tables whose
 * signature (adapter, params, instances) is unchanged, as Istio's handler table does, so a
 * config change only rebuilds what changed. Only handlers some rule routes instances to are
 * built.
 */
export class HandlerTable {
  private constructor(
    private readonly handlers: ReadonlyMap<string, BuiltHandler>,
    readonly failures: readonly HandlerBuildFailure[],
  ) {}

  static empty(): HandlerTable {
    return new HandlerTable(new Map(), []);
  }

  /** Builds the handlers of `snapshot`, reusing those of `previous` (earlier tables win) whose signature is unchanged. */
  static async build(snapshot: Snapshot, previous: readonly (HandlerTable | undefined)[], options: HandlerTableOptions): Promise<HandlerTable> {
    const reusable = new Map<string, BuiltHandler>();
    for (const table of [...previous].reverse()) for (const built of table?.handlers.values() ?? []) reusable.set(built.signature, built);
    const handlers = new Map<string, BuiltHandler>();
    const failures: HandlerBuildFailure[] = [];
    const building: Promise<void>[] = [];
    for (const entry of snapshot.handlers.values()) {
      if (entry.instances.length === 0) continue;
      const reused = reusable.get(entry.signature);
      if (reused !== undefined && reused.name === entry.name) {
        handlers.set(entry.name, reused);
        continue;
      }
      const pause = options.slicer?.checkpoint();
      if (pause !== undefined) await pause;
      building.push(
        buildHandler(entry, options).then(
          (built) => void handlers.set(entry.name, built),
          (error: unknown) => {
            const message = error instanceof Error ? error.message : String(error);
            failures.push({ name: entry.name, adapterName: entry.adapter.name, message });
            options.logger.error({ handler: entry.name, adapter: entry.adapter.name, err: error }, 'handler failed to build; its rules are not dispatched');
          },
        ),
      );
    }
    await Promise.all(building);
    return new HandlerTable(handlers, failures);
  }

  get(name: string): BuiltHandler | undefined {
    return this.handlers.get(name);
  }

  all(): BuiltHandler[] {
    return [...this.handlers.values()];
  }

  /** Closes every handler of this table that none of `kept` holds. */
  async closeUnused(kept: readonly (HandlerTable | undefined)[], logger: Logger): Promise<void> {
    const keep = new Set(kept.flatMap((table) => table?.all() ?? []));
    await Promise.all(
      this.all()
        .filter((built) => !keep.has(built))
        .map(async (built) => {
          try {
            await built.handler.close?.();
          } catch (error) {
            logger.warn({ handler: built.name, err: error }, 'handler close failed');
          } finally {
            built.environment.close();
          }
        }),
    );
  }
}

async function buildHandler(entry: HandlerEntry, options: HandlerTableOptions): Promise<BuiltHandler> {
  const metrics = new Registry();
  metrics.setDefaultLabels({ handler: entry.name, adapter: entry.adapter.name });
  const environment = new ManagedEnvironment(
    options.logger.child({ adapter: entry.adapter.name, handler: entry.name }),
    metrics,
    options.clock,
    options.listener,
  );
  const timeoutMs = options.buildTimeoutMs ?? 10_000;
  let timer: NodeJS.Timeout | undefined;
  try {
    const handler = await Promise.race([
      // The adapter's synchronous part runs now, inside the caller's time slice.
      new Promise<Handler>((resolve) => resolve(entry.adapter.build({ name: entry.name, params: entry.params, instances: entry.instances }, environment))),
      new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(new Error(`adapter '${entry.adapter.name}' did not build handler within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { name: entry.name, adapterName: entry.adapter.name, signature: entry.signature, handler, environment, metrics };
  } catch (error) {
    environment.close();
    throw error;
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}
