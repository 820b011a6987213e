import { Counter, Gauge, type Registry } from 'prom-client';

/** What became of an allocation. */
export type AllocationOutcome = 'granted' | 'exhausted' | 'released' | 'deduplicated' | 'unavailable' | 'error';

const ALLOCATIONS = 'mixer_redisquota_allocations_total';
const CONNECTIONS = 'mixer_redisquota_connections_ready';

/** The handler's metrics, in the registry Mixer gives it (labelled with the handler's name). */
export class AllocationMetrics {
  private readonly byOutcome: Readonly<Record<AllocationOutcome, Counter.Internal>>;

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
}
