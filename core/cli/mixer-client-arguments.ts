import { readFileSync } from 'node:fs';
import { UnreachableError, UsageError } from './command.js';

/** Options shared by `mixer check` and `mixer report`. */
export const CLIENT_OPTIONS = {
  server: { type: 'string' },
  attribute: { type: 'string', short: 'a', multiple: true },
  attributes: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const DEFAULT_SERVER = 'http://127.0.0.1:9092';

/**
 * The attributes of one request, from `--attributes JSON|@file` then `-a name=value` pairs.
 * `-a` values are sent as text and typed by the server's attribute manifest, as mixc did;
 * `--attributes` keeps its JSON types.
 */
export function clientAttributes(json: string | undefined, pairs: readonly string[]): Record<string, unknown> {
  const attributes: Record<string, unknown> = {};
  if (json !== undefined) {
    let text = json;
    if (json.startsWith('@')) {
      try {
        text = readFileSync(json.slice(1), 'utf8');
      } catch (error) {
        throw new UsageError(`--attributes ${json}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
      }
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new UsageError(`--attributes: not valid JSON (${(error as Error).message})`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new UsageError('--attributes: expected a JSON object');
    Object.assign(attributes, parsed);
  }
  for (const pair of pairs) {
    const separator = pair.indexOf('=');
    if (separator <= 0) throw new UsageError(`-a ${pair}: expected name=value`);
    const name = pair.slice(0, separator);
    const value = pair.slice(separator + 1);
    // A string map must travel as an object; everything else the server types from text.
    attributes[name] = value.startsWith('{') ? parseMaybeJson(value) : value;
  }
  return attributes;
}

function parseMaybeJson(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** The server's base URL, checked. */
export function serverUrl(value: string | undefined): URL {
  try {
    const url = new URL(value ?? DEFAULT_SERVER);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http');
    return url;
  } catch {
    throw new UsageError(`--server ${value ?? ''}: expected an http(s) URL such as ${DEFAULT_SERVER}`);
  }
}

/** POSTs JSON and returns the status and parsed body; a connection failure says what to do. */
export async function postJson(url: URL, body: unknown): Promise<{ status: number; body: unknown }> {
  let response: Response;
  try {
    response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    throw new UnreachableError(`cannot reach Mixer at ${url.origin} (${cause}); start it with 'mixer server --config DIR' or pass --server`);
  }
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not JSON: keep the text.
  }
  return { status: response.status, body: parsed };
}
