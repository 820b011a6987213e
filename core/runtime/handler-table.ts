import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import type { Handler } from '../../adapters/sdk/adapter-info.js';
import { ManagedEnvironment, type ListenerDefaults } from '../../adapters/sdk/environment.js';
import type { HandlerEntry, Snapshot } from '../config/snapshot.js';

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
  /** Where adapters' own listeners go (the server's host and limits). */
  readonly listener?: ListenerDefaults;
}

/**
 * The built handlers of one snapshot. Building reuses every handler of the previous table whose
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

  static async build(snapshot: Snapshot, previous: HandlerTable | undefined, options: HandlerTableOptions): Promise<HandlerTable> {
    const reusable = new Map<string, BuiltHandler>();
    for (const built of previous?.handlers.values() ?? []) reusable.set(built.signature, built);
    const handlers = new Map<string, BuiltHandler>();
    const failures: HandlerBuildFailure[] = [];
    await Promise.all(
      [...snapshot.handlers.values()]
        .filter((entry) => entry.instances.length > 0)
        .map(async (entry) => {
          const reused = reusable.get(entry.signature);
          if (reused !== undefined && reused.name === entry.name) {
            handlers.set(entry.name, reused);
            return;
          }
          try {
            handlers.set(entry.name, await buildHandler(entry, options));
          } catch (error) {
            const message = error instanceof Error ? error.message : String(error);
            failures.push({ name: entry.name, adapterName: entry.adapter.name, message });
            options.logger.error({ handler: entry.name, adapter: entry.adapter.name, err: error }, 'handler failed to build; its rules are not dispatched');
          }
        }),
    );
    return new HandlerTable(handlers, failures);
  }

  get(name: string): BuiltHandler | undefined {
    return this.handlers.get(name);
  }

  all(): BuiltHandler[] {
    return [...this.handlers.values()];
  }

  /** Closes every handler of this table that `next` does not reuse. */
  async closeUnused(next: HandlerTable | undefined, logger: Logger): Promise<void> {
    const kept = new Set(next?.all() ?? []);
    await Promise.all(
      this.all()
        .filter((built) => !kept.has(built))
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
      Promise.resolve().then(() => entry.adapter.build({ name: entry.name, params: entry.params, instances: entry.instances }, environment)),
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
