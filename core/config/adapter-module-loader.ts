import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { defineAdapter, type AdapterModule } from '../../adapters/sdk/define-adapter.js';
import { MixerError } from '../errors/mixer-error.js';

/** A third-party adapter that could not be loaded; the message says what to fix. */
export class AdapterLoadError extends MixerError {
  constructor(message: string, cause?: unknown) {
    super('MIXER_ERR_ADAPTER_LOAD', message, { cause });
  }
}

function isAdapterModule(value: unknown): value is AdapterModule {
  const candidate = value as AdapterModule | undefined;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.info === 'object' &&
    typeof candidate.info.name === 'string' &&
    typeof candidate.info.build === 'function' &&
    typeof candidate.module === 'object'
  );
}

/**
 * Loads a third-party adapter: a path (relative to the working directory) or a package name,
 * whose module exports the result of `defineAdapter` as `default` or as `adapter`.
 */
export async function loadAdapterModule(specifier: string, workingDirectory = process.cwd()): Promise<AdapterModule> {
  const looksLikePath = specifier.startsWith('.') || specifier.startsWith('/') || isAbsolute(specifier);
  const target = looksLikePath ? pathToFileURL(resolve(workingDirectory, specifier)).href : specifier;
  let loaded: Record<string, unknown>;
  try {
    loaded = (await import(target)) as Record<string, unknown>;
  } catch (error) {
    throw new AdapterLoadError(`--adapter ${specifier}: cannot import it (${(error as Error).message})`, error);
  }
  const candidate = isAdapterModule(loaded['default']) ? loaded['default'] : loaded['adapter'];
  if (!isAdapterModule(candidate)) {
    throw new AdapterLoadError(`--adapter ${specifier}: the module must export the result of defineAdapter() as 'default' or 'adapter'`);
  }
  // Re-declare with this Mixer's own SDK, so the container module comes from our inversify
  // copy even when the adapter's package resolved another one.
  try {
    return defineAdapter(candidate.info);
  } catch (error) {
    throw new AdapterLoadError(`--adapter ${specifier}: ${(error as Error).message}`, error);
  }
}
