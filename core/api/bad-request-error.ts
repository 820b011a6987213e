import { MixerError } from '../errors/mixer-error.js';

/** Something wrong with what a client sent: answered with 400 and this message. */
export class BadRequestError extends MixerError {
  constructor(message: string) {
    super('MIXER_ERR_BAD_REQUEST', message);
  }
}
