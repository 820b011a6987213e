import type { Level, Logger } from 'pino';
import { UsageError } from './command.js';

/** The `--log-level` values every long-running command accepts. */
export const LOG_LEVELS: readonly string[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** `--log-level`'s value (default info), or a usage error naming the accepted ones. */
export function parseLogLevel(value: string | undefined): Level | 'silent' {
  const level = value ?? 'info';
  if (!LOG_LEVELS.includes(level)) throw new UsageError(`--log-level ${level}: expected one of ${LOG_LEVELS.join(', ')}`);
  return level as Level | 'silent';
}

/**
 * Waits for SIGINT or SIGTERM, then runs `close` (a failure is logged, not thrown), and resolves
 * once it has finished: the tail of every command that serves until it is stopped.
 */
export function serveUntilSignal(logger: Logger, close: () => Promise<void>): Promise<void> {
  return new Promise<void>((done) => {
    const stop = (signal: string): void => {
      logger.info({ signal }, 'shutting down');
      close().then(done, (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        done();
      });
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
}

/** A `--NAME PORT` value: an integer 0-65535 (0 picks a free port), or a usage error. */
export function parsePortOption(name: string, value: string): number {
  const port = Number(value);
  if (value.trim() === '' || !Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--${name} ${value}: expected a port number 0-65535`);
  return port;
}
