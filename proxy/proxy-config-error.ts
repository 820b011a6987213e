import { MixerError } from '../core/errors/mixer-error.js';

/** One thing wrong in a proxy config or registry file, located by file, line and field path. */
export interface ProxyConfigProblem {
  readonly file: string;
  readonly line: number;
  readonly field: string;
  readonly message: string;
}

export function formatProblem(problem: ProxyConfigProblem): string {
  return `${problem.file}:${problem.line}: ${problem.field === '' ? '' : `${problem.field}: `}${problem.message}`;
}

/** A proxy config or registry that cannot be used; every problem is listed, not just the first. */
export class ProxyConfigError extends MixerError {
  constructor(readonly problems: readonly ProxyConfigProblem[]) {
    super('MIXER_ERR_PROXY_CONFIG', problems.map(formatProblem).join('\n'));
  }
}
