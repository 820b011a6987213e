import { problem, type ConfigProblem } from '../sdk/config-problem.js';
import { compileRegex } from '../../core/expr/regex/index.js';
import { IpNetwork } from './ip-network.js';
import type { ListCheckerParams } from './params.js';

/** Istio's list builder checks, with its messages; paths point at the offending field. */
export function validateListChecker(params: ListCheckerParams): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (params.providerUrl !== '') {
    const urlProblem = checkProviderUrl(params.providerUrl);
    if (urlProblem !== undefined) problems.push(problem('params.providerUrl', urlProblem));
    if (params.refreshInterval.nanos < 1_000_000_000n) {
      problems.push(problem('params.refreshInterval', `refresh interval must be at least 1 second, it is ${params.refreshInterval.toString()}`));
    }
    if (params.ttl.compare(params.refreshInterval) < 0) {
      problems.push(
        problem('params.ttl', `ttl must be > refreshInterval, ttl is ${params.ttl.toString()} and refreshInterval is ${params.refreshInterval.toString()}`),
      );
    }
  }
  if (params.cachingInterval.nanos < 0n) {
    problems.push(problem('params.cachingInterval', `caching interval must be >= 0, it is ${params.cachingInterval.toString()}`));
  }
  if (params.cachingUseCount < 0) {
    problems.push(problem('params.cachingUseCount', `caching use count must be >= 0, it is ${params.cachingUseCount}`));
  }
  params.overrides.forEach((override, index) => {
    const field = `params.overrides[${index}]`;
    if (params.entryType === 'IP_ADDRESSES') {
      try {
        IpNetwork.parseEntry(override);
      } catch (error) {
        problems.push(problem(field, `could not parse ip address override ${override}: ${(error as Error).message}`));
      }
    } else if (params.entryType === 'REGEX') {
      try {
        compileRegex(override);
      } catch (error) {
        problems.push(problem(field, `could not parse regex override ${override}: ${(error as Error).message}`));
      }
    }
  });
  return problems;
}

function checkProviderUrl(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'URL scheme and host cannot be empty';
  }
  if (url.protocol === '' || url.host === '') return 'URL scheme and host cannot be empty';
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `unsupported protocol scheme "${url.protocol.slice(0, -1)}"`;
  return undefined;
}
