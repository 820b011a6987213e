import { after, before } from 'node:test';

import { startMixer, type RunningMixer } from '../support/mixer-harness.js';
import { RedisServer, type RedisServerOptions } from '../support/redis-server.js';

/** A real redis-server and an in-process Mixer configured for it, started once for a suite. */
export interface RedisAndMixer {
  readonly redis: RedisServer;
  readonly mixer: RunningMixer;
}

/**
 * Starts, in the calling `describe`'s before hook, a redis-server (`options`) and then a Mixer
 * whose one config file is `config(redis address)`; both stop in its after hook.
 */
export function useRedisAndMixer(config: (redisAddress: string) => string, options: RedisServerOptions = {}): RedisAndMixer {
  let redis: RedisServer | undefined;
  let mixer: RunningMixer | undefined;
  before(async () => {
    redis = await RedisServer.start(options);
    mixer = await startMixer({ 'quota.yaml': config(redis.address) });
  });
  after(async () => {
    await mixer?.close();
    await redis?.stop();
  });
  return {
    get redis() {
      if (redis === undefined) throw new Error('redis-server is started in the before hook');
      return redis;
    },
    get mixer() {
      if (mixer === undefined) throw new Error('Mixer is started in the before hook');
      return mixer;
    },
  };
}

/**
 * `mixer_redisquota_late_replies_total{outcome}` on Mixer's /metrics, summed over the handlers
 * whose name contains `handler`: allocations answered UNAVAILABLE whose script ran later.
 */
export async function lateReplies(mixer: RunningMixer, outcome: 'refused' | 'applied', handler = ''): Promise<number> {
  const text = await (await fetch(`${mixer.monitoringUrl}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith('mixer_redisquota_late_replies_total{') && line.includes(`outcome="${outcome}"`) && line.includes(handler))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}
