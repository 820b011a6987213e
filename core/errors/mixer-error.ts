/**
 * The project's base error: every error Mixer raises on purpose is a MixerError with a
 * stable `code`. The brand survives duplicate copies of this module (a symbol from the
 * global registry), so `MixerError.is()` works across package boundaries.
 */
const BRAND = Symbol.for('mixer.error');

export class MixerError extends Error {
  readonly [BRAND] = true;

  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }

  static is(value: unknown): value is MixerError {
    return typeof value === 'object' && value !== null && (value as { [BRAND]?: unknown })[BRAND] === true;
  }
}
