import { Counter, Gauge, type Registry } from 'prom-client';

/** Why entries were dropped. */
export type DropReason = 'buffer_full' | 'rejected' | 'closed';

/** Totals since the handler was built, for tests and debugging. */
export interface PumpTotals {
  readonly sent: number;
  readonly retried: number;
  readonly dropped: Readonly<Record<DropReason, number>>;
}

/**
 * A log adapter's delivery metrics, registered in the handler's own registry (Mixer labels them
 * with the handler and adapter): `mixer_adapter_<adapter>_entries_sent_total`,
 * `..._entries_dropped_total{reason}`, `..._entries_retried_total` and the gauge
 * `..._buffered_entries`. Plain totals are kept beside them for tests.
 */
export class PumpMetrics {
  private readonly sentCounter: Counter;
  private readonly droppedCounter: Counter<'reason'>;
  private readonly retriedCounter: Counter;
  private readonly bufferedGauge: Gauge;
  private sentTotal = 0;
  private retriedTotal = 0;
  private readonly droppedTotals: Record<DropReason, number> = { buffer_full: 0, rejected: 0, closed: 0 };

  constructor(registry: Registry, adapterName: string) {
    const prefix = `mixer_adapter_${adapterName.replace(/-/g, '_')}`;
    this.sentCounter = counter(registry, `${prefix}_entries_sent_total`, `Log entries the ${adapterName} adapter delivered.`, []);
    this.droppedCounter = counter(
      registry,
      `${prefix}_entries_dropped_total`,
      `Log entries the ${adapterName} adapter dropped: buffer_full (oldest dropped for newer ones), rejected (refused by the endpoint), closed (still buffered at close).`,
      ['reason'],
    );
    this.retriedCounter = counter(registry, `${prefix}_entries_retried_total`, `Log entries the ${adapterName} adapter put back to send again after a failed delivery.`, []);
    const gaugeName = `${prefix}_buffered_entries`;
    const existing = registry.getSingleMetric(gaugeName);
    this.bufferedGauge = existing instanceof Gauge ? existing : new Gauge({ name: gaugeName, help: `Log entries waiting in the ${adapterName} adapter's buffer.`, registers: [registry] });
  }

  get totals(): PumpTotals {
    return { sent: this.sentTotal, retried: this.retriedTotal, dropped: { ...this.droppedTotals } };
  }

  sent(count: number): void {
    if (count <= 0) return;
    this.sentTotal += count;
    this.sentCounter.inc(count);
  }

  retried(count: number): void {
    if (count <= 0) return;
    this.retriedTotal += count;
    this.retriedCounter.inc(count);
  }

  dropped(reason: DropReason, count: number): void {
    if (count <= 0) return;
    this.droppedTotals[reason] += count;
    this.droppedCounter.inc({ reason }, count);
  }

  buffered(count: number): void {
    this.bufferedGauge.set(count);
  }
}

function counter<L extends string>(registry: Registry, name: string, help: string, labelNames: L[]): Counter<L> {
  const existing = registry.getSingleMetric(name);
  if (existing instanceof Counter) return existing;
  return new Counter({ name, help, labelNames, registers: [registry] });
}
