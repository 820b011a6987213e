/**
 * A problem with a piece of config, relative to the resource it is in: `field` is a path such
 * as `params.quotas[0].maxAmount`, `message` says what is wrong. Problems are collected, never
 * thrown one at a time.
 */
export interface ConfigProblem {
  readonly field: string;
  readonly message: string;
}

export function problem(field: string, message: string): ConfigProblem {
  return { field, message };
}
