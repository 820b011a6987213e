import type { AdapterEnvironment, Cancel } from '../sdk/environment.js';
import { describeThrown } from './errors.js';
import type { LoadedPolicy } from './policy-loader.js';
import type { OpaMetrics } from './policy-metrics.js';
import type { WasmPolicy } from './wasm-policy.js';

/** Where a handler gets the policy to ask, or learns why there is none. */
export interface PolicySupply {
  /** The policy serving now; undefined when none could be loaded. */
  readonly current: WasmPolicy | undefined;
  /** Why there is no policy (meaningful when `current` is undefined). */
  readonly unavailableReason: string;
}

/** What PolicyState loads from (a PolicyLoader): a new policy when the sources changed, undefined when not; throws when they do not load. */
export interface PolicyReloader {
  readonly watchesFiles: boolean;
  refresh(): Promise<LoadedPolicy | undefined>;
}

/** A supply that never has a policy (the handler config is invalid, under failClose). */
export function noPolicy(reason: string): PolicySupply {
  return { current: undefined, unavailableReason: reason };
}

/**
 * The serving policy of one handler, kept up to date: loaded when the handler is built, then,
 * every `pollIntervalMs`, loaded again when its files changed. A load that fails is logged and
 * counted, and the previous policy keeps serving (until then, checks are answered by the fail
 * policy with the error). Polls never overlap; timers belong to the handler's environment.
 */
export class PolicyState implements PolicySupply {
  private policy: WasmPolicy | undefined;
  private reason = 'the policy has not been loaded yet';
  private lastError: Error | undefined;
  private running: Promise<void> | undefined;
  private cancelPolling: Cancel | undefined;

  constructor(
    private readonly loader: PolicyReloader,
    private readonly env: AdapterEnvironment,
    private readonly metrics: OpaMetrics,
    private readonly pollIntervalMs: number,
  ) {}

  get current(): WasmPolicy | undefined {
    return this.policy;
  }

  get unavailableReason(): string {
    return this.reason;
  }

  /** The error of the last failed load, if the last load failed. */
  get loadError(): Error | undefined {
    return this.lastError;
  }

  /** Loads the policy (a failure is logged, not thrown), then starts polling for changes. */
  async start(): Promise<void> {
    await this.refresh();
    if (this.pollIntervalMs > 0 && this.loader.watchesFiles) {
      this.cancelPolling = this.env.scheduleInterval(() => this.refresh(), this.pollIntervalMs);
    }
  }

  /** Looks for changes now (what a poll does); resolves when that look, or the one running, is done. */
  refresh(): Promise<void> {
    this.running ??= this.reload().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  close(): void {
    this.cancelPolling?.();
  }

  private async reload(): Promise<void> {
    try {
      const loaded = await this.loader.refresh();
      if (loaded === undefined) return;
      this.policy = loaded.policy;
      this.lastError = undefined;
      this.metrics.loads.success.inc();
      this.env.logger.info({ files: loaded.reread, entrypoint: loaded.policy.entrypoint }, 'opa policy loaded');
    } catch (error) {
      if (this.env.signal.aborted) return;
      this.lastError = error instanceof Error ? error : new Error(describeThrown(error));
      this.metrics.loads.failure.inc();
      if (this.policy === undefined) {
        this.reason = `no policy loaded: ${this.lastError.message}`;
        this.env.logger.error({ err: this.lastError }, 'opa policy could not be loaded');
      } else {
        this.env.logger.error({ err: this.lastError }, 'opa policy reload failed; the previous policy keeps serving');
      }
    }
  }
}
