import { SourcePositions } from './source-positions.js';

/**
 * One Kubernetes-style resource as read from a config file, before Mixer interprets it:
 * what it says (apiVersion, kind, metadata, spec) and where it says it.
 */
export interface ConfigResource {
  readonly file: string;
  /** The 1-based line the resource starts on. */
  readonly line: number;
  /** '' when absent. */
  readonly apiVersion: string;
  readonly kind: string;
  /** '' when absent (an error for Mixer's kinds). */
  readonly name: string;
  /** '' when absent: the default config namespace applies. */
  readonly namespace: string;
  readonly annotations: Readonly<Record<string, string>>;
  readonly labels: Readonly<Record<string, string>>;
  /** The spec as parsed from YAML (plain objects, arrays, strings, numbers, booleans, null). */
  readonly spec: unknown;
  /** Problems with the resource's envelope (metadata that is not a map, a name that is not a string). */
  readonly envelopeProblems: readonly { readonly field: string; readonly message: string }[];
  readonly positions: SourcePositions;
}

/** Builds a resource without a file (tests, programmatic config): fields default to empty. */
export function configResource(fields: {
  kind: string;
  name: string;
  namespace?: string;
  apiVersion?: string;
  spec?: unknown;
  annotations?: Record<string, string>;
  labels?: Record<string, string>;
  file?: string;
  line?: number;
}): ConfigResource {
  const line = fields.line ?? 1;
  return Object.freeze({
    file: fields.file ?? '<memory>',
    line,
    apiVersion: fields.apiVersion ?? 'config.istio.io/v1alpha2',
    kind: fields.kind,
    name: fields.name,
    namespace: fields.namespace ?? '',
    annotations: Object.freeze({ ...fields.annotations }),
    labels: Object.freeze({ ...fields.labels }),
    spec: fields.spec,
    envelopeProblems: Object.freeze([]),
    positions: SourcePositions.at(line),
  });
}
