import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ExpressionEvaluationError } from '../errors.js';
import { toTimestamp } from './timestamp.js';

// Accepted and rejected inputs come from Go 1.26's time.Parse(time.RFC3339, ...) (a differential
// oracle run outside this repository); the wider tables are in core/attribute/timestamp.test.ts.

/** [text, RFC3339Nano in UTC, Unix seconds, nanoseconds] */
const ACCEPTED: ReadonlyArray<readonly [string, string, number, number]> = [
  ['2015-01-02T15:04:35Z', '2015-01-02T15:04:35Z', 1420211075, 0],
  ['2015-01-02T15:04:36Z', '2015-01-02T15:04:36Z', 1420211076, 0],
  ['2017-01-01T00:00:00Z', '2017-01-01T00:00:00Z', 1483228800, 0],
  ['2006-01-02T15:04:05+07:00', '2006-01-02T08:04:05Z', 1136189045, 0],
  ['2006-01-02T15:04:05-07:00', '2006-01-02T22:04:05Z', 1136239445, 0],
  ['2006-01-02T15:04:05-00:00', '2006-01-02T15:04:05Z', 1136214245, 0],
  ['2006-01-02T15:04:05.1Z', '2006-01-02T15:04:05.1Z', 1136214245, 100000000],
  ['2006-01-02T15:04:05,1Z', '2006-01-02T15:04:05.1Z', 1136214245, 100000000],
  ['2006-01-02T15:04:05.123456789Z', '2006-01-02T15:04:05.123456789Z', 1136214245, 123456789],
  ['2006-01-02T15:04:05.1234567891234Z', '2006-01-02T15:04:05.123456789Z', 1136214245, 123456789],
  ['2006-01-02T15:04:05.000000000Z', '2006-01-02T15:04:05Z', 1136214245, 0],
  ['2006-01-02T15:04:05.5+01:30', '2006-01-02T13:34:05.5Z', 1136208845, 500000000],
  ['2006-01-02T1:04:05Z', '2006-01-02T01:04:05Z', 1136163845, 0],
  ['2006-01-02T15:04:05+24:00', '2006-01-01T15:04:05Z', 1136127845, 0],
  ['2006-01-02T15:04:05+23:60', '2006-01-01T15:04:05Z', 1136127845, 0],
  ['2006-01-02T15:04:05-24:60', '2006-01-03T16:04:05Z', 1136304245, 0],
  ['2004-02-29T00:00:00Z', '2004-02-29T00:00:00Z', 1078012800, 0],
  ['2000-02-29T00:00:00Z', '2000-02-29T00:00:00Z', 951782400, 0],
  ['1970-01-01T00:00:00Z', '1970-01-01T00:00:00Z', 0, 0],
  ['1969-12-31T23:59:59.999999999Z', '1969-12-31T23:59:59.999999999Z', -1, 999999999],
  ['0000-01-01T00:00:00Z', '0000-01-01T00:00:00Z', -62167219200, 0],
  ['0000-01-01T00:00:00+01:00', '-0001-12-31T23:00:00Z', -62167222800, 0],
  ['0001-01-01T00:00:00Z', '0001-01-01T00:00:00Z', -62135596800, 0],
  ['0099-12-31T23:59:59Z', '0099-12-31T23:59:59Z', -59011459201, 0],
  ['9999-12-31T23:59:59Z', '9999-12-31T23:59:59Z', 253402300799, 0],
  ['9999-12-31T23:59:59-01:00', '10000-01-01T00:59:59Z', 253402304399, 0],
];

/** [text, Go's time.Parse error (Istio replaces it with its own message)] */
const REJECTED: ReadonlyArray<readonly [string, string]> = [
  ['', 'parsing time "" as "2006-01-02T15:04:05Z07:00": cannot parse "" as "2006"'],
  ['242233', 'parsing time "242233" as "2006-01-02T15:04:05Z07:00": cannot parse "33" as "-"'],
  ['2006-01-02t15:04:05Z', 'parsing time "2006-01-02t15:04:05Z" as "2006-01-02T15:04:05Z07:00": cannot parse "t15:04:05Z" as "T"'],
  ['2006-01-02T15:04:05z', 'parsing time "2006-01-02T15:04:05z" as "2006-01-02T15:04:05Z07:00": cannot parse "z" as "Z07:00"'],
  ['2006-01-02 15:04:05Z', 'parsing time "2006-01-02 15:04:05Z" as "2006-01-02T15:04:05Z07:00": cannot parse " 15:04:05Z" as "T"'],
  ['2006-01-02T15:04:05', 'parsing time "2006-01-02T15:04:05" as "2006-01-02T15:04:05Z07:00": cannot parse "" as "Z07:00"'],
  ['2006-01-02T15:04:05.Z', 'parsing time "2006-01-02T15:04:05.Z" as "2006-01-02T15:04:05Z07:00": cannot parse ".Z" as "Z07:00"'],
  ['2006-01-02T24:00:00Z', 'parsing time "2006-01-02T24:00:00Z": hour out of range'],
  ['2006-01-02T23:59:60Z', 'parsing time "2006-01-02T23:59:60Z": second out of range'],
  ['2006-01-02T23:60:00Z', 'parsing time "2006-01-02T23:60:00Z": minute out of range'],
  ['2006-02-29T00:00:00Z', 'parsing time "2006-02-29T00:00:00Z": day out of range'],
  ['1900-02-29T00:00:00Z', 'parsing time "1900-02-29T00:00:00Z": day out of range'],
  ['2006-13-01T00:00:00Z', 'parsing time "2006-13-01T00:00:00Z": month out of range'],
  ['2006-00-01T00:00:00Z', 'parsing time "2006-00-01T00:00:00Z": month out of range'],
  ['2006-01-00T00:00:00Z', 'parsing time "2006-01-00T00:00:00Z": day out of range'],
  ['2006-01-32T00:00:00Z', 'parsing time "2006-01-32T00:00:00Z": day out of range'],
  ['2006-04-31T00:00:00Z', 'parsing time "2006-04-31T00:00:00Z": day out of range'],
  ['10000-01-01T00:00:00Z', 'parsing time "10000-01-01T00:00:00Z" as "2006-01-02T15:04:05Z07:00": cannot parse "0-01-01T00:00:00Z" as "-"'],
  ['-001-01-01T00:00:00Z', 'parsing time "-001-01-01T00:00:00Z" as "2006-01-02T15:04:05Z07:00": cannot parse "-001-01-01T00:00:00Z" as "2006"'],
  ['+2006-01-02T15:04:05Z', 'parsing time "+2006-01-02T15:04:05Z" as "2006-01-02T15:04:05Z07:00": cannot parse "+2006-01-02T15:04:05Z" as "2006"'],
  ['2006-1-02T15:04:05Z', 'parsing time "2006-1-02T15:04:05Z" as "2006-01-02T15:04:05Z07:00": cannot parse "1-02T15:04:05Z" as "01"'],
  ['2006-01-2T15:04:05Z', 'parsing time "2006-01-2T15:04:05Z" as "2006-01-02T15:04:05Z07:00": cannot parse "2T15:04:05Z" as "02"'],
  ['2006-01-02T15:4:05Z', 'parsing time "2006-01-02T15:4:05Z" as "2006-01-02T15:04:05Z07:00": cannot parse "4:05Z" as "04"'],
  ['2006-01-02T15:04:5Z', 'parsing time "2006-01-02T15:04:5Z" as "2006-01-02T15:04:05Z07:00": cannot parse "5Z" as "05"'],
  ['2006-01-02T15:04:05+25:00', 'parsing time "2006-01-02T15:04:05+25:00": time zone offset hour out of range'],
  ['2006-01-02T15:04:05+23:61', 'parsing time "2006-01-02T15:04:05+23:61": time zone offset minute out of range'],
  ['2006-01-02T15:04:05+0700', 'parsing time "2006-01-02T15:04:05+0700" as "2006-01-02T15:04:05Z07:00": cannot parse "+0700" as "Z07:00"'],
  ['2006-01-02T15:04:05+07', 'parsing time "2006-01-02T15:04:05+07" as "2006-01-02T15:04:05Z07:00": cannot parse "+07" as "Z07:00"'],
  ['2006-01-02T15:04:05+07:00:00', 'parsing time "2006-01-02T15:04:05+07:00:00": extra text: ":00"'],
  ['2006-01-02T15:04:05Z ', 'parsing time "2006-01-02T15:04:05Z ": extra text: " "'],
  [' 2006-01-02T15:04:05Z', 'parsing time " 2006-01-02T15:04:05Z" as "2006-01-02T15:04:05Z07:00": cannot parse " 2006-01-02T15:04:05Z" as "2006"'],
  ['2006-01-02T15:04:05ZZ', 'parsing time "2006-01-02T15:04:05ZZ": extra text: "Z"'],
  ['2006-01-02T15:04:05x07:00', 'parsing time "2006-01-02T15:04:05x07:00" as "2006-01-02T15:04:05Z07:00": cannot parse "x07:00" as "Z07:00"'],
  ['2006-01-02T15:04:05+x7:00', 'parsing time "2006-01-02T15:04:05+x7:00" as "2006-01-02T15:04:05Z07:00": cannot parse "+x7:00" as "Z07:00"'],
  ['2006-01-02T15:04:05+25:x0', 'parsing time "2006-01-02T15:04:05+25:x0": time zone offset hour out of range'],
  ['2006-01-02T15:04:05é', 'parsing time "2006-01-02T15:04:05\\xc3\\xa9" as "2006-01-02T15:04:05Z07:00": cannot parse "\\xc3\\xa9" as "Z07:00"'],
  ['20a6-01-02T15:04:05Z', 'parsing time "20a6-01-02T15:04:05Z" as "2006-01-02T15:04:05Z07:00": cannot parse "20a6-01-02T15:04:05Z" as "2006"'],
  ['2006-01-02T123:04:05Z', 'parsing time "2006-01-02T123:04:05Z" as "2006-01-02T15:04:05Z07:00": cannot parse "3:04:05Z" as ":"'],
];

describe('toTimestamp (CEXL timestamp)', () => {
  for (const [text, utc, seconds, nanos] of ACCEPTED) {
    it(`converts ${JSON.stringify(text)}`, () => {
      const timestamp = toTimestamp(text);
      assert.equal(timestamp.toString(), utc);
      assert.equal(timestamp.seconds, seconds);
      assert.equal(timestamp.nanos, nanos);
    });
  }

  for (const [text] of REJECTED) {
    it(`rejects ${JSON.stringify(text)}`, () => {
      assert.throws(
        () => toTimestamp(text),
        (error: unknown) =>
          error instanceof ExpressionEvaluationError &&
          error.message === `could not convert '${text}' to TIMESTAMP. expected format: '2006-01-02T15:04:05Z07:00'`,
      );
    });
  }

  it('matches the conformance vectors (ids 47, 49, 229)', () => {
    assert.equal(toTimestamp('2015-01-02T15:04:35Z').toString(), '2015-01-02T15:04:35Z');
    assert.throws(() => toTimestamp('242233'), {
      message: `could not convert '242233' to TIMESTAMP. expected format: '2006-01-02T15:04:05Z07:00'`,
    });
    assert.equal(toTimestamp('2015-01-02T15:04:35Z').compare(toTimestamp('2015-01-02T15:04:36Z')), -1);
  });
});
