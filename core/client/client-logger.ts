/** What the client logs through: a subset of pino's Logger, so a pino logger fits as is. */
export interface ClientLogger {
  warn(fields: Record<string, unknown>, message: string): void;
  debug(fields: Record<string, unknown>, message: string): void;
}

export const silentLogger: ClientLogger = Object.freeze({
  warn: () => undefined,
  debug: () => undefined,
});

/**
 * Logs the first of every `every` occurrences at warn and the rest at debug, as Istio's client
 * does for failed Mixer calls (one warning in 100), with the number of occurrences so far.
 */
export class RateLimitedWarning {
  private occurrences = 0;

  constructor(
    private readonly logger: ClientLogger,
    private readonly every = 100,
  ) {}

  log(fields: Record<string, unknown>, message: string): void {
    const occurrence = this.occurrences++;
    const withCount = { ...fields, occurrences: this.occurrences };
    if (occurrence % this.every === 0) this.logger.warn(withCount, message);
    else this.logger.debug(withCount, message);
  }
}
