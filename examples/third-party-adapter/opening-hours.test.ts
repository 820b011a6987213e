import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { OpeningHours } from './opening-hours.js';
import { businessHoursParams } from './params.js';

function hours(params: Record<string, unknown> = {}): OpeningHours {
  const parsed = businessHoursParams.parse(params);
  assert.ok(parsed.ok);
  return OpeningHours.fromParams(parsed.value);
}

// 2020-01-06 was a Monday.
const monday = (hour: number, minute = 0) => Date.UTC(2020, 0, 6, hour, minute);
const MINUTE = 60_000;

describe('OpeningHours', () => {
  it('is open on the listed days from opens (inclusive) to closes (exclusive)', () => {
    const standard = hours();
    assert.equal(standard.isOpen(monday(8, 59)), false);
    assert.equal(standard.isOpen(monday(9)), true);
    assert.equal(standard.isOpen(monday(16, 59)), true);
    assert.equal(standard.isOpen(monday(17)), false);
    assert.equal(standard.isOpen(monday(12) + 5 * 24 * 60 * MINUTE), false, 'Saturday');
    assert.equal(standard.isOpen(monday(12) - 24 * 60 * MINUTE), false, 'Sunday');
  });

  it('applies the UTC offset', () => {
    const tokyo = hours({ utcOffset: '+09:00' });
    assert.equal(tokyo.isOpen(monday(0)), true, '09:00 in Tokyo');
    assert.equal(tokyo.isOpen(monday(8)), false, '17:00 in Tokyo');
    const newYork = hours({ utcOffset: '-05:00', days: ['SUNDAY'] });
    assert.equal(newYork.isOpen(monday(2)), false, 'Sunday 21:00 in New York, closed');
    assert.equal(newYork.isOpen(monday(15) - 24 * 60 * MINUTE), true, 'Sunday 10:00 in New York');
  });

  it('knows how long until it next opens or closes', () => {
    const standard = hours();
    assert.equal(standard.msUntilChange(monday(8, 59)), MINUTE);
    assert.equal(standard.msUntilChange(monday(9)), 8 * 60 * MINUTE);
    assert.equal(standard.msUntilChange(monday(17) + 4 * 24 * 60 * MINUTE), (2 * 24 + 16) * 60 * MINUTE, 'Friday 17:00 to Monday 09:00');
  });
});
