import { Counter, Gauge, type Registry } from 'prom-client';
import type { LateOutcome } from './allocation-batcher.js';

/** What became of an allocation. */
export type AllocationOutcome = 'granted' | 'exhausted' | 'released' | 'deduplicated' | 'unavailable' | 'error';

const ALLOCATIONS = 'mixer_redisquota_allocations_total';
const CONNECTIONS = 'mixer_redisquota_connections_ready';
const LATE = 'mixer_redisquota_late_replies_total';

/** The handler's metrics, in the registry Mixer gives it (labelled with the handler's name). */
export class AllocationMetrics {
  private readonly byOutcome: Readonly<Record<AllocationOutcome, Counter.Internal>>;
  private readonly late: Readonly<Record<LateOutcome, Counter.Internal>>;

  constructor(registry: Registry, readyConnections: () => number) {
    const allocations = new Counter({
      name: ALLOCATIONS,
      help: 'redisquota allocations by outcome (granted, exhausted, released, deduplicated, unavailable: Redis unreachable or failing, error: a bad reply).',
      labelNames: ['outcome'],
      registers: [registry],
    });
    new Gauge({
      name: CONNECTIONS,
      help: 'redisquota connections to Redis that are ready for commands.',
      registers: [registry],
      collect() {
        this.set(readyConnections());
      },
    });
    const late = new Counter({
      name: LATE,
      help:
        'redisquota allocations answered UNAVAILABLE after commandTimeout whose script still ran later: refused (past its deadline, took nothing) or applied (ran in time, reply too late: its units stay taken).',
      labelNames: ['outcome'],
      registers: [registry],
    });
    this.late = { refused: late.labels('refused'), applied: late.labels('applied') };
    this.byOutcome = {
      granted: allocations.labels('granted'),
      exhausted: allocations.labels('exhausted'),
      released: allocations.labels('released'),
      deduplicated: allocations.labels('deduplicated'),
      unavailable: allocations.labels('unavailable'),
      error: allocations.labels('error'),
    };
  }

  count(outcome: AllocationOutcome): void {
    this.byOutcome[outcome].inc();
  }

  countLate(outcome: LateOutcome, allocations: number): void {
    this.late[outcome].inc(allocations);
  }
}
