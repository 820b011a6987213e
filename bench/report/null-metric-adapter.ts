import { Type } from '@sinclair/typebox';
import { defineAdapter, defineParams } from '../../adapters/sdk/index.js';

/**
 * The out-of-process backend of the report bench (`mixer adapter serve
 * dist/bench/report/null-metric-adapter.js`): counts the metric instances it receives and
 * checks each has a value, the cheapest real work an adapter can do.
 */
export const adapter = defineAdapter({
  name: 'null-metric',
  description: 'counts metric instances; the report bench\'s out-of-process backend',
  supportedTemplates: ['metric'],
  params: defineParams(Type.Object({ label: Type.String({ default: '' }) }, { additionalProperties: false })),
  build: (_config, env) => {
    let received = 0;
    let valueless = 0;
    return {
      handleMetric: (instances) => {
        received += instances.length;
        for (const instance of instances) if (instance.value === undefined) valueless++;
      },
      close: () => env.logger.info({ received, valueless }, 'null-metric handler closed'),
    };
  },
});

export default adapter;
