import type { OutgoingHttpHeaders } from 'node:http';
import { HeaderOperationKind } from '../core/config/snapshot.js';
import type { HeaderOperation } from '../core/runtime/check-outcome.js';
import { hasInvalidFieldValueChar, isFieldName } from './http-field-syntax.js';

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
 */
export function applyHeaderOperations(headers: OutgoingHttpHeaders, operations: readonly HeaderOperation[], line?: RequestLine): void {
  for (const operation of operations) {
    const name = operation.name.toLowerCase();
    if (line !== undefined && name.startsWith(':')) {
      if (/[\s\0]/.test(operation.value) || operation.operation === HeaderOperationKind.REMOVE) continue;
      if (name === ':path') line.path = operation.value;
      else if (name === ':method') line.method = operation.value;
      else if (name === ':authority') {
        line.authority = operation.value;
        headers['host'] = operation.value;
      }
      continue;
    }
    // A name or value Node would refuse to send is skipped rather than failing the request.
    if (name.startsWith(':') || !isFieldName(name) || hasInvalidFieldValueChar(operation.value)) continue;
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
}

