import { ExpressionLanguage } from './expression.js';

/** The resource annotation that picks a resource's expression language, as in Istio. */
export const LANGUAGE_ANNOTATION = 'policy.istio.io/lang';

/** The environment variable that overrides every annotation, as in Istio. */
export const LANGUAGE_ENVIRONMENT_VARIABLE = 'ISTIO_LANG';

/** `CEL` and `COMPAT` (exact, as Istio compares them) select those languages; anything else is CEXL. */
export function parseLanguageName(name: string | undefined): ExpressionLanguage {
  switch (name) {
    case 'CEL':
      return ExpressionLanguage.CEL;
    case 'COMPAT':
      return ExpressionLanguage.COMPAT;
    default:
      return ExpressionLanguage.CEXL;
  }
}

/**
 * The language of a config resource: the `ISTIO_LANG` environment variable when set, else the
 * resource's `policy.istio.io/lang` annotation, else CEXL.
 */
export function languageOf(
  annotations: Readonly<Record<string, string>> | undefined,
  environment: Readonly<Record<string, string | undefined>> = process.env,
): ExpressionLanguage {
  const override = environment[LANGUAGE_ENVIRONMENT_VARIABLE];
  if (override !== undefined && override !== '') return parseLanguageName(override);
  return parseLanguageName(annotations?.[LANGUAGE_ANNOTATION]);
}
