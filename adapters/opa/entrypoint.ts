const SEGMENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

export type EntrypointParse = { readonly ok: true; readonly name: string } | { readonly ok: false; readonly message: string };

/**
 * The wasm entrypoint name (`mixerauthz/allow`, as `opa build -e` writes it) of a rule given as
 * a path (`mixerauthz/allow`) or as a Rego reference (`data.mixerauthz.allow`, Istio's
 * checkMethod form). Segments are Rego identifiers; quoted references are not supported.
 */
export function parseEntrypoint(text: string): EntrypointParse {
  const trimmed = text.trim();
  const segments = trimmed.includes('/') ? trimmed.split('/') : trimmed.replace(/^data\./, '').split('.');
  if (trimmed === '' || trimmed === 'data' || segments.some((segment) => !SEGMENT.test(segment))) {
    return { ok: false, message: `'${text}' is not a rule reference (examples: mixerauthz/allow, data.mixerauthz.allow)` };
  }
  return { ok: true, name: segments.join('/') };
}
