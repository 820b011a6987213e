import { parse as parseYaml } from 'yaml';
import { IpAddress } from '../../core/attribute/ip-address.js';
import { MixerError } from '../../core/errors/mixer-error.js';
import { compileRegex, type Regex } from '../../core/expr/regex/index.js';
import { IpNetwork } from './ip-network.js';
import type { EntryType } from './params.js';

/** Provider data that cannot be turned into a list (bad YAML, a bad CIDR or regex line). */
export class ListDataError extends MixerError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ADPT_ERR_LIST_DATA', message, options);
  }
}

/** Whether a value is in the list, or why the value cannot be looked up. */
export type Lookup = { readonly ok: true; readonly found: boolean } | { readonly ok: false; readonly message: string };

/** A built list: immutable, swapped whole on refresh. */
export interface EntryList {
  readonly size: number;
  lookup(value: string): Lookup;
}

const FOUND: Lookup = Object.freeze({ ok: true, found: true });
const MISSING: Lookup = Object.freeze({ ok: true, found: false });

/**
 * Builds the list for an entry type from the provider's body plus the overrides (already
 * validated). STRINGS, CASE_INSENSITIVE_STRINGS and REGEX read one entry per non-empty line;
 * IP_ADDRESSES reads YAML `whitelist: [cidr, …]`. Throws ListDataError on bad provider data.
 */
export function buildEntryList(entryType: EntryType, body: string, overrides: readonly string[]): EntryList {
  switch (entryType) {
    case 'STRINGS':
      return new StringList([...lines(body), ...overrides].filter((entry) => entry !== ''), (value) => value);
    case 'CASE_INSENSITIVE_STRINGS':
      return new StringList([...lines(body), ...overrides].filter((entry) => entry !== ''), goToUpper);
    case 'IP_ADDRESSES':
      return new IpList([...whitelist(body).map(parseListEntry), ...overrides.map((entry) => IpNetwork.parseEntry(entry))]);
    case 'REGEX':
      return new RegexList([...lines(body).filter((line) => line !== '').map(compileLine), ...overrides.map((entry) => compileRegex(entry))]);
  }
}

/** Lines split on `\n` (a trailing `\r` is dropped, so CRLF bodies work). */
function lines(body: string): string[] {
  if (body === '') return [];
  return body.split('\n').map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
}

class StringList implements EntryList {
  private readonly entries: ReadonlySet<string>;

  constructor(
    entries: readonly string[],
    private readonly normalize: (value: string) => string,
  ) {
    this.entries = new Set(entries.map(normalize));
  }

  get size(): number {
    return this.entries.size;
  }

  lookup(value: string): Lookup {
    return this.entries.has(this.normalize(value)) ? FOUND : MISSING;
  }
}

class IpList implements EntryList {
  constructor(private readonly networks: readonly IpNetwork[]) {}

  get size(): number {
    return this.networks.length;
  }

  lookup(value: string): Lookup {
    const ip = IpAddress.tryParse(value);
    if (ip === undefined) return { ok: false, message: `${value} is not a valid IP address` };
    return this.networks.some((network) => network.contains(ip)) ? FOUND : MISSING;
  }
}

class RegexList implements EntryList {
  constructor(private readonly patterns: readonly Regex[]) {}

  get size(): number {
    return this.patterns.length;
  }

  lookup(value: string): Lookup {
    return this.patterns.some((pattern) => pattern.test(value)) ? FOUND : MISSING;
  }
}

function whitelist(body: string): unknown[] {
  let document: unknown;
  try {
    document = parseYaml(body);
  } catch (error) {
    throw new ListDataError(`could not unmarshal data from list: ${(error as Error).message}`, { cause: error });
  }
  if (document === null || document === undefined) return [];
  if (typeof document !== 'object' || Array.isArray(document)) {
    throw new ListDataError('could not unmarshal data from list: expected a map with a `whitelist` sequence');
  }
  const entries = (document as Record<string, unknown>)['whitelist'];
  if (entries === undefined || entries === null) return [];
  if (!Array.isArray(entries)) throw new ListDataError('could not unmarshal data from list: `whitelist` is not a sequence');
  return entries;
}

function parseListEntry(entry: unknown): IpNetwork {
  if (typeof entry !== 'string') throw new ListDataError(`could not parse list entry ${String(entry)}: not a string`);
  try {
    return IpNetwork.parseEntry(entry);
  } catch (error) {
    throw new ListDataError(`could not parse list entry ${entry}: ${(error as Error).message}`, { cause: error });
  }
}

function compileLine(line: string): Regex {
  try {
    return compileRegex(line);
  } catch (error) {
    throw new ListDataError((error as Error).message, { cause: error });
  }
}

/**
 * Go's strings.ToUpper: simple (one-to-one) case mapping, so `ß` stays `ß` where JavaScript's
 * full mapping would make it `SS`.
 */
export function goToUpper(text: string): string {
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(text)) return text.toUpperCase();
  let out = '';
  for (const char of text) {
    const upper = char.toUpperCase();
    out += [...upper].length === 1 ? upper : char;
  }
  return out;
}
