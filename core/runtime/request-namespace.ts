import type { AttributeBag } from '../attribute/bag.js';

/**
 * The namespace whose rules apply to a request, as Istio decides it: the source's namespace
 * when an outbound (client-side) proxy reports, else the destination's. The reads are made
 * through the bag, so they count as referenced attributes.
 */
export function requestNamespace(bag: AttributeBag): string {
  const kind = bag.get('context.reporter.kind');
  const attribute = kind === 'outbound' ? 'source.namespace' : 'destination.namespace';
  const namespace = bag.get(attribute);
  return typeof namespace === 'string' ? namespace : '';
}
