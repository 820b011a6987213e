import { Timestamp } from '../../attribute/timestamp.js';
import { ExpressionEvaluationError } from '../errors.js';

const RFC3339_LAYOUT = '2006-01-02T15:04:05Z07:00';

/**
 * CEXL's `timestamp(s)`: parses `s` as Go's time.Parse(time.RFC3339, s) does. Error: `could not
 * convert '<s>' to TIMESTAMP. expected format: '2006-01-02T15:04:05Z07:00'`.
 */
export function toTimestamp(text: string): Timestamp {
  const timestamp = Timestamp.tryParse(text);
  if (timestamp === undefined) {
    throw new ExpressionEvaluationError(
      `could not convert '${text}' to TIMESTAMP. expected format: '${RFC3339_LAYOUT}'`,
    );
  }
  return timestamp;
}
