/**
 * Injection tokens of the composition root. Each names one thing the container provides;
 * no module reaches for a global instead.
 */
export const TOKENS = {
  /** Every adapter available to config (multi-bound: built-ins and loaded third-party ones). */
  AdapterInfo: Symbol.for('mixer.AdapterInfo'),
  /** Every compiled-in template (multi-bound). */
  Template: Symbol.for('mixer.Template'),
  /** The root pino logger. */
  Logger: Symbol.for('mixer.Logger'),
  /** The prom-client registry for Mixer's self-monitoring (never the process-global one). */
  MetricsRegistry: Symbol.for('mixer.MetricsRegistry'),
  /** A millisecond clock (tests substitute a manual one). */
  Clock: Symbol.for('mixer.Clock'),
  /** Server options, validated at the command line. */
  ServerOptions: Symbol.for('mixer.ServerOptions'),
} as const;
