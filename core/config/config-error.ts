/**
 * One problem found in config, attributed like a compiler error: where (file and line), which
 * resource (kind/namespace/name), which field, and why. Printed as
 * `file:line: kind/namespace/name: field: reason`.
 */
export interface ConfigError {
  readonly file: string;
  /** 1-based line of the field (or of the resource when the field has no place of its own). */
  readonly line: number;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  /** Dotted path inside the resource (`spec.match`, `spec.actions[0].handler`), or '' for the whole resource. */
  readonly field: string;
  readonly message: string;
}

/**
 * `file:line: kind/namespace/name: field: reason`. An error that belongs to no resource (a YAML
 * syntax error: kind and name empty) prints as `file:line: reason`.
 */
export function formatConfigError(error: ConfigError): string {
  const resource = error.kind === '' && error.name === '' ? '' : `${error.kind}/${error.namespace}/${error.name}: `;
  const field = error.field === '' ? '' : `${error.field}: `;
  return `${error.file}:${error.line}: ${resource}${field}${error.message}`;
}
