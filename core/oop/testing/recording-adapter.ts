import { appendFileSync } from 'node:fs';
import { Type } from '@sinclair/typebox';
import { defineAdapter, OK_STATUS, RpcCode, rpcStatus } from '../../../adapters/sdk/index.js';
import type { TemplateInstance } from '../../../templates/template.js';
import { parseRpcCode } from '../../status/rpc-code.js';
import { instanceToJson } from '../../runtime/instance-json.js';

/**
 * A test adapter to serve out of process (`mixer adapter serve dist/core/oop/testing/recording-adapter.js`):
 * it appends every instance it receives to `file` as a JSON line (`{method, instance}`, values
 * in Mixer's JSON form, so types can be checked), answers checks with `code` (OK by default),
 * grants quotas up to `grant`, and with `hang: true` never answers at all.
 */
export const adapter = defineAdapter({
  name: 'recording',
  description: 'records the instances it receives to a file; for out-of-process tests',
  supportedTemplates: ['metric', 'logentry', 'tracespan', 'reportnothing', 'checknothing', 'listentry', 'quota', 'authorization'],
  params: {
    schema: Type.Unknown(),
    parse: (raw) => {
      const params = (raw ?? {}) as { file?: unknown; code?: unknown; hang?: unknown; grant?: unknown };
      if (params.file !== undefined && typeof params.file !== 'string') return { ok: false, problems: [{ field: 'params.file', message: 'must be a string' }] };
      return {
        ok: true,
        value: {
          file: params.file,
          code: parseRpcCode(params.code) ?? RpcCode.OK,
          hang: params.hang === true,
          grant: typeof params.grant === 'number' ? params.grant : Number.MAX_SAFE_INTEGER,
        },
      };
    },
  },
  build: (config) => {
    const { file, code, hang, grant } = config.params;
    const record = (method: string, instances: readonly TemplateInstance[]): void => {
      if (file === undefined) return;
      appendFileSync(file, instances.map((instance) => `${JSON.stringify({ method, instance: instanceToJson(instance) })}\n`).join(''));
    };
    const never = new Promise<never>(() => undefined);
    const check = (method: string, instance: TemplateInstance) => {
      record(method, [instance]);
      if (hang) return never;
      return { status: code === RpcCode.OK ? OK_STATUS : rpcStatus(code, `recording adapter answers ${code}`), validDurationMs: 2500, validUseCount: 7 };
    };
    return {
      handleMetric: (instances) => record('metric', instances),
      handleLogEntry: (instances) => record('logentry', instances),
      handleTraceSpan: (instances) => record('tracespan', instances),
      handleReportNothing: (instances) => record('reportnothing', instances),
      handleCheckNothing: (instance) => check('checknothing', instance),
      handleListEntry: (instance) => check('listentry', instance),
      handleAuthorization: (instance) => check('authorization', instance),
      handleQuota: (instance, args) => {
        record('quota', [instance]);
        if (hang) return never;
        return { status: OK_STATUS, grantedAmount: Math.min(args.amount, grant), validDurationMs: 1500 };
      },
    };
  },
});

export default adapter;
