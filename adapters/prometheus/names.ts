// Metric and label names as Istio's prometheus adapter made them, and the rules Prometheus
// puts on them.

/** The namespace of a metric that does not name one. */
export const DEFAULT_NAMESPACE = 'istio';

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * Istio's safeName: a leading `/` is removed, `/`, `.` and spaces become `_`, and `-` is
 * deleted (`requestcount.instance.istio-system` → `requestcount_instance_istiosystem`).
 */
export function sanitize(name: string): string {
  const trimmed = name.startsWith('/') ? name.slice(1) : name;
  return trimmed.replace(/[/. -]/g, (character) => (character === '-' ? '' : '_'));
}

/**
 * `<namespace>_<name>`: the namespace sanitised (default `istio`), the name (default: the
 * instance name) sanitised, joined like Prometheus's BuildFQName (empty parts left out; no
 * name, no metric: `''`).
 */
export function fullMetricName(namespace: string, name: string, instanceName: string): string {
  const prefix = namespace === '' ? DEFAULT_NAMESPACE : sanitize(namespace);
  const base = sanitize(name === '' ? instanceName : name);
  if (base === '') return '';
  return prefix === '' ? base : `${prefix}_${base}`;
}

/** Whether Prometheus accepts `name` as a metric name. */
export function isValidMetricName(name: string): boolean {
  return METRIC_NAME.test(name);
}

/** Whether Prometheus accepts `name` as a label name (`__` names are reserved for Prometheus itself). */
export function isValidLabelName(name: string): boolean {
  return LABEL_NAME.test(name) && !name.startsWith('__');
}
