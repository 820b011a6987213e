import type { Logger } from 'pino';
import type { AttributeBag } from '../attribute/bag.js';
import { HeaderOperationKind, type HeaderOperationTemplate } from '../config/snapshot.js';
import { ExpressionEvaluationError } from '../expr/errors.js';
import type { HeaderOperation } from './check-outcome.js';

/**
 * Evaluates a rule's header operations for a request (Istio semantics): REMOVE needs no value;
 * REPLACE and APPEND produce one operation per value expression, dropped when the value is ""
 * or cannot be evaluated (logged).
 */
export function evaluateHeaderOperations(
  templates: readonly HeaderOperationTemplate[],
  bag: AttributeBag,
  out: HeaderOperation[],
  logger: Logger,
): void {
  for (const template of templates) {
    if (template.operation === HeaderOperationKind.REMOVE) {
      out.push({ name: template.name, value: '', operation: HeaderOperationKind.REMOVE });
      continue;
    }
    for (const expression of template.values) {
      let value: unknown;
      try {
        value = expression.evaluate(bag);
      } catch (error) {
        if (!(error instanceof ExpressionEvaluationError)) throw error;
        logger.warn({ header: template.name, expression: expression.text, err: error.message }, 'header operation value could not be evaluated; skipped');
        continue;
      }
      if (typeof value === 'string' && value !== '') out.push({ name: template.name, value, operation: template.operation });
    }
  }
}
