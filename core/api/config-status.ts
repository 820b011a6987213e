import type { ConfigError } from '../config/config-error.js';
import type { Snapshot } from '../config/snapshot.js';
import type { HandlerBuildFailure } from '../runtime/handler-table.js';

/** A config change that was not applied, and why. */
export interface RejectedChange {
  readonly at: Date;
  readonly errors: readonly ConfigError[];
}

/** What /readyz and /debug/config report: the config serving requests and the last rejection. */
export interface ConfigStatus {
  readonly active: Snapshot | undefined;
  readonly handlerFailures: readonly HandlerBuildFailure[];
  readonly lastRejected: RejectedChange | undefined;
}

export interface ConfigStatusSource {
  configStatus(): ConfigStatus;
}

/** What Check and Report answer (503, UNAVAILABLE) until a valid config is active, and where to look. */
export const NOT_READY = 'no valid config is loaded yet; its errors are logged and shown at /debug/config on the monitoring port';
