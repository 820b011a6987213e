import { DictBag } from '../core/attribute/dict-bag.js';
import type { AttributeValue } from '../core/attribute/value.js';
import { decisionReportAttributes, type CheckDecision } from '../core/client/check-decision.js';
import type { MixerClient } from '../core/client/mixer-client.js';
import { AttributeListBag } from './attribute-list-bag.js';
import type { AttributeList } from './identity-attributes.js';
import type { QuotaRule } from './proxy-config.js';
import { quotaAmounts } from './quota-spec.js';

export interface MixerPolicyOptions {
  readonly checkEnabled: boolean;
  readonly reportEnabled: boolean;
  readonly quotaRules: readonly QuotaRule[];
  /** Istio's `mixer_attributes`: the first attributes of every request (anything the proxy sets itself wins). */
  readonly mixerAttributes?: readonly (readonly [string, AttributeValue])[];
}

/**
 * The proxy's view of Mixer: Check a request's attributes with the quotas its QuotaSpecs
 * charge, and Report what happened. Both go through the Mixer client (check cache, quota
 * prefetch, network fail policy, report batching).
 */
export class MixerPolicy {
  /** The attributes every request's list starts with (`mixer_attributes`). */
  readonly mixerAttributes: readonly (readonly [string, AttributeValue])[];

  constructor(
    readonly client: MixerClient,
    private readonly options: MixerPolicyOptions,
  ) {
    this.mixerAttributes = options.mixerAttributes ?? [];
  }

  /**
   * The decision, or undefined when checks are disabled; at once (no promise) when the check
   * cache answers. Adds check.cache_hit and friends to `attributes` for the Report.
   */
  check(attributes: AttributeList): CheckDecision | undefined | Promise<CheckDecision | undefined> {
    if (!this.options.checkEnabled) return undefined;
    const quotas = quotaAmounts(this.options.quotaRules, attributes);
    if (quotas === undefined) {
      // The bag is only read before the decision is made: no copy.
      const bag = new AttributeListBag(attributes);
      const cached = this.client.checkCached(bag);
      if (cached !== undefined) return withReportAttributes(attributes, cached);
      return this.client.check(bag).then((decision) => withReportAttributes(attributes, decision));
    }
    // With quotas the client may send a background prefetch later, after this list has grown: it gets a copy.
    return this.client.check(new DictBag(attributes), quotas).then((decision) => withReportAttributes(attributes, decision));
  }

  /** Hands `attributes` over to the report batch: the caller must not change the list afterwards. */
  report(attributes: AttributeList): void {
    if (this.options.reportEnabled) this.client.adoptReport(new AttributeListBag(attributes));
  }

  close(): Promise<void> {
    return this.client.close();
  }
}

function withReportAttributes(attributes: AttributeList, decision: CheckDecision): CheckDecision {
  for (const [name, value] of decisionReportAttributes(decision)) attributes.set(name, value);
  return decision;
}
