import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Timestamp } from '../../core/attribute/timestamp.js';
import { FieldLayouts } from './field-layout.js';
import { LineFormatter, TimeText } from './line-format.js';

describe('FieldLayouts', () => {
  it('sorts and quotes the names once per instance shape and reuses the layout', () => {
    const layouts = new FieldLayouts();
    const first = layouts.layoutFor('a.instance.ns', { zeta: 1, alpha: 'x', 'we"ird': true });
    assert.deepEqual(first.names, ['alpha', 'we"ird', 'zeta']);
    assert.deepEqual(first.quotedNames, ['"alpha":', '"we\\"ird":', '"zeta":']);
    assert.equal(layouts.layoutFor('a.instance.ns', { zeta: 2, alpha: 'y', 'we"ird': false }), first);
  });

  it('builds a new layout when an instance of the same name has other fields', () => {
    const layouts = new FieldLayouts();
    const first = layouts.layoutFor('a', { b: 1, a: 2 });
    const fewer = layouts.layoutFor('a', { b: 1 });
    assert.notEqual(fewer, first);
    assert.deepEqual(fewer.names, ['b']);
    const more = layouts.layoutFor('a', { b: 1, c: 3 });
    assert.deepEqual(more.names, ['b', 'c']);
    const reordered = layouts.layoutFor('a', { c: 3, b: 1 });
    assert.deepEqual(reordered.names, ['b', 'c']);
    assert.ok(reordered.fits({ c: 0, b: 0 }));
    assert.ok(!reordered.fits({ b: 0, c: 0 }));
  });
});

describe('LineFormatter', () => {
  const time = Timestamp.fromParts(1_600_000_000, 1_234_567);

  it('writes JSON lines with sorted fields, unset ones left out, and a leading value first', () => {
    const formatter = new LineFormatter(true);
    assert.equal(
      formatter.line('WARNING', time, 'm.instance.ns', { name: 'value', value: 3n }, { z: 'last', a: undefined, m: 1.5 }),
      '{"level":"warn","time":"2020-09-13T12:26:40.001234Z","instance":"m.instance.ns","value":3,"m":1.5,"z":"last"}\n',
    );
    assert.equal(formatter.line('INFO', time, 'e', undefined, {}), '{"level":"info","time":"2020-09-13T12:26:40.001234Z","instance":"e"}\n');
  });

  it('writes console lines: time, level, instance, then the fields as one object when there are some', () => {
    const formatter = new LineFormatter(false);
    assert.equal(formatter.line('ERROR', time, 'e.instance.ns', undefined, { b: true, a: 'x' }), '2020-09-13T12:26:40.001234Z\terror\te.instance.ns\t{"a":"x","b":true}\n');
    assert.equal(formatter.line('INFO', time, 'e', undefined, {}), '2020-09-13T12:26:40.001234Z\tinfo\te\n');
  });
});

describe('TimeText', () => {
  it('keeps six fractional digits and follows a change of second', () => {
    const text = new TimeText();
    assert.equal(text.format(Timestamp.fromParts(0, 0)), '1970-01-01T00:00:00.000000Z');
    assert.equal(text.format(Timestamp.fromParts(0, 999_999_999)), '1970-01-01T00:00:00.999999Z');
    assert.equal(text.format(Timestamp.fromParts(61, 120_000_000)), '1970-01-01T00:01:01.120000Z');
    assert.equal(text.format(Timestamp.fromParts(-1, 500_000)), '1969-12-31T23:59:59.000500Z');
  });
});
