import { defineAdapter } from '../sdk/define-adapter.js';
import type { AdapterEnvironment } from '../sdk/environment.js';
import { DecisionMaker } from './decision.js';
import { OpaHandler } from './handler.js';
import { opaParams, type OpaParams } from './params.js';
import { PolicyLoader, policyName, type PolicySource } from './policy-loader.js';
import { opaMetrics } from './policy-metrics.js';
import { noPolicy, PolicyState } from './policy-state.js';
import { opaConfigProblems, resolveEntrypoint, validateOpa } from './validate.js';

/**
 * opa: the `authorization` template decided by a Rego policy compiled to WebAssembly
 * (`opa build -t wasm`) and evaluated in process. The policy comes from a bundle, a bare
 * policy.wasm, or inline Rego compiled with the opa CLI when the handler is built; the policy and
 * its data files are reloaded when they change. Istio's opa adapter, with Istio's params
 * (`policy`, `checkMethod`, `failClose`).
 */
export const opa = defineAdapter({
  name: 'opa',
  description: 'Authorization by a Rego policy compiled to WebAssembly (Open Policy Agent)',
  supportedTemplates: ['authorization'],
  params: opaParams,
  validate: (config) => validateOpa(config.params),
  build: (config, env) => buildOpaHandler(config.params, env),
});

async function buildOpaHandler(params: OpaParams, env: AdapterEnvironment): Promise<OpaHandler> {
  const metrics = opaMetrics(env.metrics);
  const source = policySource(params);
  const entrypoint = resolveEntrypoint(params) ?? '';
  const decisions = new DecisionMaker({
    entrypoint: entrypoint === '' ? '(no entrypoint)' : entrypoint,
    policyName: policyName(source),
    failClose: params.failClose,
    validDurationMs: params.validDuration.toMillis(),
    validUseCount: params.validUseCount,
  });
  // Only reachable with failClose (validate reports these otherwise): as in Istio, the handler
  // is built, logs its problems and rejects every request.
  const problems = opaConfigProblems(params);
  if (problems.length > 0) {
    for (const problem of problems) env.logger.error({ field: problem.field }, `opa handler config: ${problem.message}`);
    const reason = `the handler config is invalid: ${problems.map((problem) => `${problem.field}: ${problem.message}`).join('; ')}`;
    return new OpaHandler(noPolicy(reason), decisions, metrics);
  }
  const loader = new PolicyLoader({ source, entrypoint, inlineData: params.data, dataFile: params.dataFile, signal: env.signal });
  const state = new PolicyState(loader, env, metrics, params.pollInterval.toMillis());
  await state.start();
  // Inline Rego that does not compile is a config error (as in Istio), unless failClose.
  if (source.kind === 'rego' && state.current === undefined && !params.failClose && state.loadError !== undefined) {
    state.close();
    throw state.loadError;
  }
  return new OpaHandler(state, decisions, metrics);
}

function policySource(params: OpaParams): PolicySource {
  if (params.bundle !== '') return { kind: 'bundle', path: params.bundle };
  if (params.wasm !== '') return { kind: 'wasm', path: params.wasm };
  return { kind: 'rego', modules: params.policy, opaCommand: params.opaCommand, regoVersion: params.regoVersion };
}
