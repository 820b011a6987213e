import { Duration } from '../attribute/duration.js';
import { DEFAULT_LISTENER_LIMITS, type ListenerLimits } from '../net/listener-limits.js';
import { UsageError } from './command.js';

/** The `parseArgs` options of every command that listens: `mixer server`, `mixer adapter serve`. */
export const LISTENER_LIMIT_OPTIONS = {
  'max-connections': { type: 'string' },
  'idle-timeout': { type: 'string' },
  'header-timeout': { type: 'string' },
  'request-timeout': { type: 'string' },
} as const;

/** Their lines in `--help`. */
export const LISTENER_LIMIT_USAGE = `  --max-connections N     connections open at once on each listener; more are closed as they
                          arrive and counted (default ${DEFAULT_LISTENER_LIMITS.maxConnections})
  --idle-timeout DUR      close a connection with no request in flight for this long (default 60s)
  --header-timeout DUR    close an HTTP connection whose request headers take longer (default 10s)
  --request-timeout DUR   close an HTTP connection whose whole request takes longer (default 30s)`;

/** The longest timer node can run: longer delays would silently become 1 ms. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

type LimitValues = { readonly [K in keyof typeof LISTENER_LIMIT_OPTIONS]?: string | undefined };

/** The listener limits the flags ask for, each flag checked, or a usage error saying what to give. */
export function parseListenerLimits(values: LimitValues): ListenerLimits {
  const limits: ListenerLimits = {
    maxConnections: count('max-connections', values['max-connections'], DEFAULT_LISTENER_LIMITS.maxConnections),
    idleTimeoutMs: timeout('idle-timeout', values['idle-timeout'], DEFAULT_LISTENER_LIMITS.idleTimeoutMs),
    headerTimeoutMs: timeout('header-timeout', values['header-timeout'], DEFAULT_LISTENER_LIMITS.headerTimeoutMs),
    requestTimeoutMs: timeout('request-timeout', values['request-timeout'], DEFAULT_LISTENER_LIMITS.requestTimeoutMs),
  };
  if (limits.headerTimeoutMs > limits.requestTimeoutMs) {
    throw new UsageError(
      `--header-timeout ${Duration.ofMillis(limits.headerTimeoutMs).toString()} is longer than --request-timeout ${Duration.ofMillis(limits.requestTimeoutMs).toString()}, which includes the headers: lengthen --request-timeout or shorten --header-timeout`,
    );
  }
  return Object.freeze(limits);
}

function count(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(parsed) || parsed < 1) {
    throw new UsageError(`--${name} ${value}: expected a whole number of connections, 1 or more (default ${fallback})`);
  }
  return parsed;
}

function timeout(name: string, value: string | undefined, fallbackMs: number): number {
  if (value === undefined) return fallbackMs;
  const duration = Duration.tryParse(value);
  const millis = duration === undefined ? undefined : Math.round(duration.toMillis());
  if (millis === undefined || millis < 1 || millis > MAX_TIMEOUT_MS) {
    throw new UsageError(`--${name} ${value}: expected a duration from 1ms to 596h, such as 500ms, 30s or 5m (default ${Duration.ofMillis(fallbackMs).toString()})`);
  }
  return millis;
}
