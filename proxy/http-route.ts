import type { ProxyErrorCode } from './http-forwarder.js';
import type { ConnectionFacts } from './connection-facts.js';
import type { RequestHead } from './http-request-attributes.js';
import type { AttributeValue } from '../core/attribute/value.js';
import type { AttributeList } from './identity-attributes.js';
import type { HostPort } from './proxy-config.js';

/** Where a request goes, or why it goes nowhere. */
export type RouteDecision =
  | {
      readonly kind: 'forward';
      readonly target: HostPort;
      /** The `x-istio-attributes` value for the next hop; undefined to send none. */
      readonly forwardedHeader: string | undefined;
      /** Called when the target refused the connection (passive health checking). */
      readonly onConnectFailure?: () => void;
      /**
       * After a connect failure: another endpoint to try (the failed one is ejected), with the
       * destination attributes that now apply; undefined when there is none.
       */
      readonly retry?: () => RetryTarget | undefined;
    }
  | { readonly kind: 'reject'; readonly statusCode: number; readonly body: string; readonly proxyErrorCode: ProxyErrorCode };

export interface RetryTarget {
  readonly target: HostPort;
  readonly attributes: readonly (readonly [string, AttributeValue])[];
}

/** One side of the sidecar: inbound (in front of the app) or outbound (the app's calls out). */
export interface HttpRoute {
  readonly direction: 'inbound' | 'outbound';
  /** Adds the identity attributes (source.*, destination.*) and decides where the request goes. */
  route(request: RequestHead, attributes: AttributeList, connection: ConnectionFacts): RouteDecision;
}
