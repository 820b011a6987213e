// Resource identities and reference canonicalisation, exactly as Istio's Mixer
// (mixer/pkg/runtime/config: store.Key.String(), canonicalize, getCanonicalRef).

/** A resource's identity: `name.kind.namespace` (`denyall.handler.istio-system`, `handler.memquota.istio-system`). */
export function resourceKey(name: string, kind: string, namespace: string): string {
  return `${name}.${kind}.${namespace}`;
}

/**
 * The names a reference may stand for, in lookup order, given the kind it must have and the
 * namespace of the resource that refers to it:
 * - no dot: `name.<kind>.<ns>`;
 * - one dot `a.b`: `a.b.<ns>` (legacy `name.kind`), then `a.<kind>.b` (`name.namespace`);
 * - two or more dots: the reference as written.
 */
export function canonicalCandidates(reference: string, kind: string, namespace: string): readonly string[] {
  const segments = reference.split('.');
  switch (segments.length) {
    case 1:
      return [resourceKey(reference, kind, namespace)];
    case 2:
      return [`${reference}.${namespace}`, resourceKey(segments[0]!, kind, segments[1]!)];
    default:
      return [reference];
  }
}

/** Resolves a reference against `lookup`: the first candidate that exists, with its canonical name. */
export function resolveReference<T>(
  reference: string,
  kind: string,
  namespace: string,
  lookup: (name: string) => T | undefined,
): { readonly name: string; readonly value: T } | undefined {
  for (const name of canonicalCandidates(reference, kind, namespace)) {
    const value = lookup(name);
    if (value !== undefined) return { name, value };
  }
  return undefined;
}

/** The text before the first dot of a fully qualified name (quota names match on it). */
export function shortName(fullyQualifiedName: string): string {
  const dot = fullyQualifiedName.indexOf('.');
  return dot < 0 ? fullyQualifiedName : fullyQualifiedName.slice(0, dot);
}
