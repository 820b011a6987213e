import { MixerError } from '../../core/errors/mixer-error.js';
import { defineAdapter } from '../sdk/define-adapter.js';
import { AllocationMetrics } from './allocation-metrics.js';
import { ConnectionPool } from './connection-pool.js';
import { RedisQuotaHandler } from './handler.js';
import { compileLimits } from './limits.js';
import { redisQuotaParams } from './params.js';
import { parseRedisTarget } from './redis-target.js';
import { validateRedisQuota } from './validate.js';

/** Connections made when connectionPoolSize is 0 (Istio: the client library's default). */
export const DEFAULT_POOL_SIZE = 10;

/** How long building a handler waits for the first connection attempts (it never fails on them). */
export const CONNECT_WAIT_MS = 2000;

/** A handler config that cannot be built (validate() reports the same problems first). */
export class RedisQuotaConfigError extends MixerError {
  constructor(message: string) {
    super('ADPT_ERR_REDISQUOTA_CONFIG', message);
  }
}

/**
 * redisquota: rate limits shared by every Mixer process through Redis (Istio's `redisquota`),
 * with FIXED_WINDOW and ROLLING_WINDOW algorithms, dimension overrides and deduplication. See
 * README.md for the params.
 */
export const redisquota = defineAdapter({
  name: 'redisquota',
  description: 'Redis-based quotas.',
  supportedTemplates: ['quota'],
  params: redisQuotaParams,
  validate: validateRedisQuota,
  async build(config, env) {
    const target = parseRedisTarget(config.params.redisServerUrl);
    if (!target.ok) throw new RedisQuotaConfigError(`redisServerUrl: ${target.message}`);
    // Metrics first: registering them is the one step that can throw, and it must not leak a pool.
    const readiness = { count: (): number => 0 };
    const metrics = new AllocationMetrics(env.metrics, () => readiness.count());
    const pool = new ConnectionPool(target.target, {
      size: config.params.connectionPoolSize > 0 ? config.params.connectionPoolSize : DEFAULT_POOL_SIZE,
      commandTimeoutMs: Math.max(1, Math.ceil(config.params.commandTimeout.toMillis())),
      logger: env.logger,
    });
    readiness.count = () => pool.readyCount;
    await pool.whenFirstAttemptsSettle(CONNECT_WAIT_MS);
    return new RedisQuotaHandler(compileLimits(config.params), pool, env, metrics, config.params.failPolicy);
  },
});
