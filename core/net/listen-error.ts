import { MixerError } from '../errors/mixer-error.js';

/** What to do about the errors listening commonly fails with. */
const ADVICE: Readonly<Record<string, string>> = {
  EADDRINUSE: 'the port is in use: stop what holds it, or give another port',
  EADDRNOTAVAIL: 'no interface of this machine has that address: give one it has (127.0.0.1, 0.0.0.0 for all)',
  EACCES: 'permission denied: ports below 1024 need privileges; give a higher one',
  ENOTFOUND: 'no such host: give an address of this machine (127.0.0.1, 0.0.0.0 for all)',
};

/** A listener could not be opened: which one, where, why, and what to do. */
export class ListenError extends MixerError {
  constructor(what: string, host: string, port: number, cause: unknown) {
    const code = (cause as NodeJS.ErrnoException | undefined)?.code;
    const reason = (code === undefined ? undefined : ADVICE[code]) ?? (cause instanceof Error ? cause.message : String(cause));
    super('MIXER_ERR_LISTEN', `${what}: cannot listen on ${host.includes(':') ? `[${host}]` : host}:${port}: ${reason}${code === undefined ? '' : ` (${code})`}`, { cause });
  }
}

/** Runs `listen`, turning its failure into a ListenError naming `what` (the listener and its options). */
export async function listenAs<T>(what: string, host: string, port: number, listen: () => Promise<T>): Promise<T> {
  try {
    return await listen();
  } catch (error) {
    throw new ListenError(what, host, port, error);
  }
}
