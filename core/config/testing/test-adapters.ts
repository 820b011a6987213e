import { Type } from '@sinclair/typebox';
import type { AdapterInfo, HandlerConfig, TemplateName } from '../../../adapters/sdk/adapter-info.js';
import type { ConfigProblem } from '../../../adapters/sdk/config-problem.js';
import { defineAdapter } from '../../../adapters/sdk/define-adapter.js';
import { defineParams } from '../../../adapters/sdk/params-schema.js';
import { OK_STATUS } from '../../status/rpc-status.js';

// Stand-ins for the built-in adapters in config tests: the same names and supported templates
// as Istio's, permissive params (any map), handlers that allow everything. They exist so that
// references resolve; the real adapters are tested in adapters/<name>/.

const ANY_PARAMS = defineParams(Type.Object({}, { additionalProperties: true }));

const OK = { status: OK_STATUS, validDurationMs: 1000, validUseCount: 1 };

/** A permissive adapter named `name` supporting `templates`, with an optional `validate`. */
export function testAdapter<T extends TemplateName>(
  name: string,
  templates: readonly T[],
  validate?: (config: HandlerConfig<Record<string, unknown>>) => readonly ConfigProblem[],
): AdapterInfo<Record<string, unknown>, T> {
  const info: AdapterInfo<Record<string, unknown>, T> = {
    name,
    description: `test stand-in for ${name}`,
    supportedTemplates: templates,
    params: ANY_PARAMS,
    ...(validate === undefined ? {} : { validate }),
    build: () =>
      ({
        handleCheckNothing: () => OK,
        handleListEntry: () => OK,
        handleQuota: () => ({ status: OK.status, grantedAmount: 0, validDurationMs: 0 }),
        handleMetric: () => undefined,
        handleLogEntry: () => undefined,
        handleReportNothing: () => undefined,
        handleAuthorization: () => OK,
        handleTraceSpan: () => undefined,
      }) as never,
  };
  return defineAdapter(info).info;
}

/** denier, listchecker, memquota, stdio and noop with Istio 1.4's supported templates. */
export function testAdapters(): AdapterInfo[] {
  return [
    testAdapter('denier', ['checknothing', 'listentry', 'quota']),
    testAdapter('listchecker', ['listentry']),
    testAdapter('memquota', ['quota']),
    testAdapter('stdio', ['logentry', 'metric']),
    testAdapter('noop', ['authorization', 'checknothing', 'reportnothing', 'listentry', 'logentry', 'metric', 'quota', 'tracespan']),
  ] as AdapterInfo[];
}
