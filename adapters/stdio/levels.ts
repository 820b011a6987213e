import type { Level } from './params.js';

/** Level order, for outputLevel filtering. */
export const LEVEL_RANK: Readonly<Record<Level, number>> = { INFO: 0, WARNING: 1, ERROR: 2 };

/** How levels are printed (zap's lowercase names, as Istio's stdio printed them). */
export const LEVEL_TEXT: Readonly<Record<Level, string>> = { INFO: 'info', WARNING: 'warn', ERROR: 'error' };

/** Istio's default severity names; a handler's severityLevels are added on top. */
export const DEFAULT_SEVERITY_LEVELS: Readonly<Record<string, Level>> = {
  INFORMATIONAL: 'INFO', informational: 'INFO', INFO: 'INFO', info: 'INFO',
  WARNING: 'WARNING', warning: 'WARNING', WARN: 'WARNING', warn: 'WARNING',
  ERROR: 'ERROR', error: 'ERROR', ERR: 'ERROR', err: 'ERROR', FATAL: 'ERROR', fatal: 'ERROR',
};
