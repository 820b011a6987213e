import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';

import type { Redis } from 'ioredis';
import { RpcCode } from '../../core/status/rpc-code.js';
import { eventually, resource } from '../support/mixer-harness.js';
import { redisSuiteOptions } from '../support/redis-server.js';
import { lateReplies, useRedisAndMixer } from './redis-fixture.js';

// Issue 13's campaign: Redis is SIGKILLed while allocations run, then started again. Redis keeps
// an append-only file synced before every reply (appendfsync always), so the window survives
// the crash, and the count is exact across it:
// - while Redis is down, every allocation is answered, following the handler's failPolicy
//   (FAIL_CLOSE: 0 units, FAIL_OPEN: the amount asked for; UNAVAILABLE either way);
// - every unit a client was granted before the kill is in the restarted Redis, and at most the
//   allocations in flight at the kill were taken without their answer arriving (plus any
//   allocation answered UNAVAILABLE whose script ran in time but replied too late, which the
//   handler counts: with the generous commandTimeout there are none on a quiet machine);
// - once Redis is back, allocations work again by themselves, and the window then grants
//   exactly what Redis had left: never more than the limit in all.
// Mixer is the in-process server (HTTP Check API) with a real redis-server.

const LIMIT = 300;
const WORKERS = 8;

function config(redisAddress: string): string {
  const handler = (name: string, quota: string, failPolicy: string, limit: number) =>
    resource(
      'handler',
      name,
      [
        'compiledAdapter: redisquota',
        'params:',
        `  redisServerUrl: ${redisAddress}`,
        '  connectionPoolSize: 2',
        '  commandTimeout: 800ms',
        `  failPolicy: ${failPolicy}`,
        '  quotas:',
        `  - name: ${quota}.instance.istio-system`,
        `    maxAmount: ${limit}`,
        '    validDuration: 1h',
      ].join('\n'),
    );
  return [
    handler('closedquota', 'closed', 'FAIL_CLOSE', LIMIT),
    handler('openquota', 'open', 'FAIL_OPEN', 1_000_000_000),
    resource('instance', 'closed', 'compiledTemplate: quota\nparams:\n  dimensions: {}'),
    resource('instance', 'open', 'compiledTemplate: quota\nparams:\n  dimensions: {}'),
    resource('rule', 'closed', 'actions:\n- handler: closedquota\n  instances: [ closed ]'),
    resource('rule', 'open', 'actions:\n- handler: openquota\n  instances: [ open ]'),
  ].join('');
}

type Phase = 'up' | 'killing' | 'down' | 'restarting' | 'back';

interface Answer {
  readonly granted: number;
  readonly code: RpcCode;
}

interface Sample {
  readonly sent: Phase;
  readonly answered: Phase;
  readonly closed: Answer;
  readonly open: Answer;
}

describe('redisquota when Redis is killed (SIGKILL) and restarted', redisSuiteOptions(), () => {
  const fixture = useRedisAndMixer(config, { args: ['--appendonly', 'yes', '--appendfsync', 'always'] });
  let admin: Redis | undefined;
  after(() => admin?.disconnect());

  const allocate = async (): Promise<{ closed: Answer; open: Answer }> => {
    const { status, body } = await fixture.mixer.check({ attributes: {}, quotas: { closed: { amount: 1 }, open: { amount: 1 } } });
    assert.equal(status, 200);
    const read = (name: string): Answer => ({ granted: Number(body.quotas![name]!.grantedAmount), code: body.quotas![name]!.status.code });
    return { closed: read('closed'), open: read('open') };
  };

  /** Allocations of the FAIL_CLOSE handler answered UNAVAILABLE whose script still ran in time (units taken, answer lost). */
  const lateApplied = (): Promise<number> => lateReplies(fixture.mixer, 'applied', 'closedquota');

  it('follows failPolicy while Redis is down, recovers by itself, and never grants more than the limit across the crash', { timeout: 120_000 }, async () => {
    let phase: Phase = 'up';
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const samples: Sample[] = [];
    let inFlight = 0;
    let stop = false;
    const worker = async (): Promise<void> => {
      while (!stop) {
        if (phase === 'restarting') await gate;
        const sent = phase;
        inFlight++;
        try {
          const answer = await allocate();
          samples.push({ sent, answered: phase, ...answer });
          if (sent === 'back' && answer.closed.code === RpcCode.RESOURCE_EXHAUSTED) return;
        } finally {
          inFlight--;
        }
      }
    };
    const granted = (which: (sample: Sample) => boolean) => samples.filter(which).reduce((sum, sample) => sum + sample.closed.granted, 0);
    const workers = Array.from({ length: WORKERS }, () => worker());
    try {
      await eventually(() => granted(() => true) >= LIMIT / 3, 30_000, 'a third of the limit granted');
      phase = 'killing';
      await fixture.redis.kill();
      phase = 'down';
      const down = () => samples.filter((sample) => sample.sent === 'down' && sample.answered === 'down');
      await eventually(() => down().length >= 5 * WORKERS, 30_000, 'answers while Redis is down');
      const unavailable = (granted: number): Answer => ({ granted, code: RpcCode.UNAVAILABLE });
      for (const sample of down()) assert.deepEqual([sample.closed, sample.open], [unavailable(0), unavailable(1)], 'FAIL_CLOSE grants 0, FAIL_OPEN the amount asked for');

      phase = 'restarting';
      await eventually(() => inFlight === 0, 30_000, 'the allocations sent before the restart to be answered');
      await fixture.redis.restart();
      admin = fixture.redis.client();
      const [stateKey] = await admin.keys('redisquota:*closed*:fixed');
      assert.ok(stateKey !== undefined, 'the window survived the crash (append-only file)');
      const persisted = Number(await admin.hget(stateKey, 't'));
      const grantedBefore = granted(() => true);
      const lateBefore = await lateApplied();
      assert.ok(persisted >= grantedBefore, `every unit granted before the kill is in Redis (${persisted} held, ${grantedBefore} granted)`);
      assert.ok(persisted - grantedBefore <= WORKERS + lateBefore, `at most the allocations in flight at the kill lost their answer (${persisted - grantedBefore}; ${lateBefore} late)`);

      phase = 'back';
      open();
      await Promise.all(workers);
      const grantedAfter = granted((sample) => sample.sent === 'back');
      assert.ok(grantedAfter > 0, 'allocations worked again without restarting Mixer');
      const lateAfter = (await lateApplied()) - lateBefore;
      assert.ok(grantedAfter <= LIMIT - persisted && grantedAfter >= LIMIT - persisted - lateAfter, `after the restart, what Redis had left (${LIMIT - persisted}): ${grantedAfter} granted, ${lateAfter} late`);
      assert.ok(grantedBefore + grantedAfter <= LIMIT, `granted in all: ${grantedBefore + grantedAfter} of ${LIMIT}`);
      assert.equal(Number(await admin.hget(stateKey, 't')), LIMIT, 'the window is full');
    } finally {
      stop = true;
      open();
      await Promise.allSettled(workers);
    }
  });
});
