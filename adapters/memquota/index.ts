import { defineAdapter } from '../sdk/define-adapter.js';
import { MemQuotaHandler } from './handler.js';
import { compileLimits } from './limits.js';
import { memQuotaParams } from './params.js';
import { validateMemQuota } from './validate.js';

/**
 * memquota: volatile in-memory quotas, allocation counters and rolling-window rate limits
 * (Istio's `memquota`). State is per Mixer process and lost on restart.
 */
export const memquota = defineAdapter({
  name: 'memquota',
  description: 'Volatile memory-based quota tracking',
  supportedTemplates: ['quota'],
  params: memQuotaParams,
  validate: validateMemQuota,
  build: (config, env) => new MemQuotaHandler(compileLimits(config.params), config.params.minDeduplicationDuration.toMillis(), env),
});
