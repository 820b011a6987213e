import { MixerError } from '../../core/errors/mixer-error.js';

/** Codes of the errors the opa adapter raises. */
export const OpaErrorCode = {
  /** A policy, bundle or data file could not be read or understood. */
  Load: 'OPA_ERR_LOAD',
  /** `opa build` failed on the `policy` params (Rego syntax or type errors, missing CLI). */
  Compile: 'OPA_ERR_COMPILE',
} as const;
export type OpaErrorCode = (typeof OpaErrorCode)[keyof typeof OpaErrorCode];

/** An error of the opa adapter; `code` says which kind, `source` which file or param it is about. */
export class OpaError extends MixerError {
  constructor(
    override readonly code: OpaErrorCode,
    readonly source: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}

/** A file or module could not be loaded: `<source>: <reason>`. */
export function loadError(source: string, reason: string, cause?: unknown): OpaError {
  return new OpaError(OpaErrorCode.Load, source, `${source}: ${reason}`, cause === undefined ? undefined : { cause });
}

/** The text of anything thrown (the wasm SDK throws strings). */
export function describeThrown(thrown: unknown): string {
  if (thrown instanceof Error) return thrown.message;
  if (typeof thrown === 'string') return thrown;
  if (typeof thrown === 'object' && thrown !== null && typeof (thrown as { message?: unknown }).message === 'string') {
    return (thrown as { message: string }).message;
  }
  return String(thrown);
}
