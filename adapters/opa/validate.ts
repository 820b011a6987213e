import { problem, type ConfigProblem } from '../sdk/config-problem.js';
import { parseEntrypoint } from './entrypoint.js';
import type { OpaParams } from './params.js';

/** The shortest poll for file changes. */
export const MIN_POLL_INTERVAL_MS = 10;

/**
 * Every problem of an opa handler config beyond the schema, with Istio's wording where Istio
 * had one ("check method is not configured", "policies are not configured").
 */
export function opaConfigProblems(params: OpaParams): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const sources = [
    params.bundle !== '' ? 'bundle' : undefined,
    params.wasm !== '' ? 'wasm' : undefined,
    params.policy.length > 0 ? 'policy' : undefined,
  ].filter((name) => name !== undefined);
  if (sources.length === 0) problems.push(problem('params.policy', 'policies are not configured (set bundle, wasm or policy)'));
  if (sources.length > 1) problems.push(problem('params', `only one of bundle, wasm and policy may be set, found ${sources.join(' and ')}`));
  params.policy.forEach((module, index) => {
    if (module.trim() === '') problems.push(problem(`params.policy[${index}]`, 'empty policy module'));
  });
  if (params.policy.length > 0 && params.opaCommand.trim() === '') problems.push(problem('params.opaCommand', 'the opa CLI is needed to compile policy'));
  problems.push(...entrypointProblems(params));
  if (params.validDuration.nanos < 0n) problems.push(problem('params.validDuration', `must be >= 0, it is ${params.validDuration.toString()}`));
  const pollMs = params.pollInterval.toMillis();
  if (params.pollInterval.nanos < 0n || (params.pollInterval.nanos > 0n && pollMs < MIN_POLL_INTERVAL_MS)) {
    problems.push(problem('params.pollInterval', `must be 0s (no polling) or at least ${MIN_POLL_INTERVAL_MS}ms, it is ${params.pollInterval.toString()}`));
  }
  return problems;
}

/**
 * What Mixer checks before building. As in Istio, with `failClose` the problems do not stop the
 * handler: it is built, logs them, and rejects every request.
 */
export function validateOpa(params: OpaParams): ConfigProblem[] {
  return params.failClose ? [] : opaConfigProblems(params);
}

/** The entrypoint the params name (`pkg/rule`), or undefined when they name none or a bad one. */
export function resolveEntrypoint(params: OpaParams): string | undefined {
  const text = params.entrypoint !== '' ? params.entrypoint : params.checkMethod;
  if (text === '') return undefined;
  const parsed = parseEntrypoint(text);
  return parsed.ok ? parsed.name : undefined;
}

function entrypointProblems(params: OpaParams): ConfigProblem[] {
  if (params.entrypoint === '' && params.checkMethod === '') {
    return [problem('params.entrypoint', 'check method is not configured (set entrypoint, or checkMethod as in Istio)')];
  }
  const problems: ConfigProblem[] = [];
  const parsed: string[] = [];
  for (const field of ['entrypoint', 'checkMethod'] as const) {
    if (params[field] === '') continue;
    const result = parseEntrypoint(params[field]);
    if (result.ok) parsed.push(result.name);
    else problems.push(problem(`params.${field}`, result.message));
  }
  if (parsed.length === 2 && parsed[0] !== parsed[1]) {
    problems.push(problem('params.checkMethod', `names ${parsed[1]} but entrypoint names ${parsed[0]}; set one of them`));
  }
  return problems;
}
