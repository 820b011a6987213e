import type { OutgoingHttpHeaders } from 'node:http';
import { HeaderOperationKind } from '../core/config/snapshot.js';
import type { HeaderOperation } from '../core/runtime/check-outcome.js';
import { hasInvalidFieldValueChar, isAuthority, isFieldName, isMethod, isRequestTarget } from './http-field-syntax.js';

/** The pseudo-headers a request operation may name, and the parts of the request they rewrite. */
export interface RequestLine {
  method: string;
  path: string;
  authority: string;
}

/**
 * Applies a route directive's header operations to outgoing headers, as Envoy's Mixer filter
 * does: REPLACE sets, REMOVE deletes, APPEND adds a value (or sets when absent). On requests,
 * `:path`, `:authority` and `:method` rewrite the request line instead.
 *
 * An operation whose name or value is outside the HTTP grammar (a `:method` that is not a
 * token, a `:path` with a space or a control, a value with CR or LF or a character above 0xFF)
 * is skipped and the request goes on, as Envoy ignores a disallowed header mutation unless told
 * to fail (HeaderMutationRules.disallow_is_error). Returns how many were skipped.
 */
export function applyHeaderOperations(headers: OutgoingHttpHeaders, operations: readonly HeaderOperation[], line?: RequestLine): number {
  let refused = 0;
  for (const operation of operations) {
    const raw = operation.name;
    if (line !== undefined && raw.startsWith(':')) {
      if (!applyToRequestLine(headers, raw.toLowerCase(), operation, line)) refused++;
      continue;
    }
    // Checked before lowercasing: toLowerCase maps some non-ASCII letters onto ASCII (U+212A KELVIN SIGN to k).
    if (!isFieldName(raw) || hasInvalidFieldValueChar(operation.value)) {
      refused++;
      continue;
    }
    const name = raw.toLowerCase();
    switch (operation.operation) {
      case HeaderOperationKind.REMOVE:
        delete headers[name];
        break;
      case HeaderOperationKind.APPEND: {
        const current = headers[name];
        if (current === undefined) headers[name] = operation.value;
        else if (Array.isArray(current)) headers[name] = [...current, operation.value];
        else if (name === 'set-cookie') headers[name] = [String(current), operation.value];
        else headers[name] = `${String(current)},${operation.value}`;
        break;
      }
      default:
        headers[name] = operation.value;
    }
  }
  return refused;
}

/** Rewrites the request line from a pseudo-header operation; false when it cannot be applied. */
function applyToRequestLine(headers: OutgoingHttpHeaders, name: string, operation: HeaderOperation, line: RequestLine): boolean {
  if (operation.operation === HeaderOperationKind.REMOVE) return false;
  const value = operation.value;
  if (name === ':path' && isRequestTarget(value)) line.path = value;
  else if (name === ':method' && isMethod(value)) line.method = value;
  else if (name === ':authority' && isAuthority(value)) {
    line.authority = value;
    headers['host'] = value;
  } else return false;
  return true;
}
