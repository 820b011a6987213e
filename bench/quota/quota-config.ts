// The quota bench's config: one quota instance asked for in every Check, routed to either
// memquota or redisquota with the same limit (high enough that every request is granted).

function doc(kind: string, name: string, spec: string): string {
  return `apiVersion: config.istio.io/v1alpha2\nkind: ${kind}\nmetadata:\n  name: ${name}\n  namespace: istio-system\nspec:\n${spec
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n')}\n---\n`;
}

const QUOTA = 'requestcount.instance.istio-system';
const MAX_AMOUNT = 1_000_000_000_000;

/** The adapters compared, with their handler params. */
export type QuotaBackend = 'memquota' | 'redisquota_fixed' | 'redisquota_rolling';

function handlerSpec(backend: QuotaBackend, redisAddress: string): string {
  switch (backend) {
    case 'memquota':
      return ['compiledAdapter: memquota', 'params:', '  quotas:', `  - name: ${QUOTA}`, `    maxAmount: ${MAX_AMOUNT}`, '    validDuration: 10s'].join('\n');
    case 'redisquota_fixed':
      return [
        'compiledAdapter: redisquota',
        'params:',
        `  redisServerUrl: ${redisAddress}`,
        '  quotas:',
        `  - name: ${QUOTA}`,
        `    maxAmount: ${MAX_AMOUNT}`,
        '    validDuration: 10s',
      ].join('\n');
    case 'redisquota_rolling':
      return [
        'compiledAdapter: redisquota',
        'params:',
        `  redisServerUrl: ${redisAddress}`,
        '  quotas:',
        `  - name: ${QUOTA}`,
        `    maxAmount: ${MAX_AMOUNT}`,
        '    validDuration: 10s',
        '    bucketDuration: 100ms',
        '    rateLimitAlgorithm: ROLLING_WINDOW',
      ].join('\n');
  }
}

export function quotaBenchConfig(backend: QuotaBackend, redisAddress: string): string {
  return [
    doc('handler', 'quotahandler', handlerSpec(backend, redisAddress)),
    doc('instance', 'requestcount', 'compiledTemplate: quota\nparams:\n  dimensions:\n    destination: destination.labels["app"] | "unknown"\n    source: source.labels["app"] | "unknown"'),
    doc('rule', 'quota', 'actions:\n- handler: quotahandler\n  instances: [ requestcount ]'),
  ].join('');
}

/** The Check every bench request sends: one unit of the quota. */
export const QUOTA_BENCH_REQUEST = {
  attributes: {
    'destination.labels': { app: 'reviews', version: 'v2' },
    'source.labels': { app: 'productpage' },
    'request.path': '/reviews/1',
  },
  quotas: { requestcount: { amount: 1 } },
};
