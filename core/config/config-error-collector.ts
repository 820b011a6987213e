import type { ConfigProblem } from '../../adapters/sdk/config-problem.js';
import type { ConfigError } from './config-error.js';
import type { MixerResource } from './mixer-resource.js';

/**
 * Accumulates every config error of one snapshot build (Istio's appendErr): each attributed to
 * its resource, field and line. Errors come out ordered by file and line.
 */
export class ConfigErrorCollector {
  /** Each error with the line its resource starts on, so a resource's errors stay together. */
  private readonly collected: { error: ConfigError; resourceLine: number }[];

  constructor(initial: readonly ConfigError[] = []) {
    this.collected = initial.map((error) => ({ error, resourceLine: error.line }));
  }

  /** An error on `field` (a path such as `spec.actions[1].handler`, or '' for the whole resource). */
  report(subject: MixerResource, field: string, message: string): void {
    const resource = subject.resource;
    const error: ConfigError = {
      file: resource.file,
      line: resource.positions.lineOf(field),
      kind: resource.kind,
      namespace: subject.namespace,
      name: resource.name,
      field,
      message,
    };
    this.collected.push({ error, resourceLine: resource.line });
  }

  /**
   * Problems whose fields are relative to a part of the resource: a problem on
   * `params.quotas[0]` with `from` `params` and `to` `spec.params` lands on
   * `spec.params.quotas[0]`.
   */
  reportProblems(subject: MixerResource, problems: readonly ConfigProblem[], from: string, to: string): void {
    for (const problem of problems) this.report(subject, rebase(problem.field, from, to), problem.message);
  }

  get count(): number {
    return this.collected.length;
  }

  /**
   * Every error, by file, then by the resource's position in the file; a resource's errors
   * keep the order they were found in (a rule's action errors before its `No valid actions`).
   */
  sorted(): ConfigError[] {
    return this.collected
      .map((entry, order) => ({ ...entry, order }))
      .sort((a, b) => compare(a.error.file, b.error.file) || a.resourceLine - b.resourceLine || a.order - b.order)
      .map(({ error }) => error);
  }
}

/** Moves `field` from under `from` to under `to` (`params.x` → `spec.params.x` or `spec.x`). */
export function rebase(field: string, from: string, to: string): string {
  if (field === from) return to;
  if (from === '') return field === '' ? to : join(to, field);
  if (field.startsWith(`${from}.`) || field.startsWith(`${from}[`)) return join(to, field.slice(from.length));
  return join(to, field);
}

function join(base: string, rest: string): string {
  if (rest === '') return base;
  if (rest.startsWith('.') || rest.startsWith('[')) return base === '' ? rest.replace(/^\./, '') : `${base}${rest}`;
  return base === '' ? rest : `${base}.${rest}`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
