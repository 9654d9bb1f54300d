/**
 * @module
 * Units of the attack lab: human durations at every unit boundary, medians, counts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { duration, humanCount, humanDuration, median, SECONDS_PER_YEAR } from './units.ts';

describe('humanDuration', () => {
  const cases: [number, string][] = [
    [Infinity, 'forever'],
    [NaN, 'n/a'],
    [2.5e-6, '2.5 µs'],
    [0.5e-3, '500 µs'],
    [0.0123, '12.3 ms'],
    [1.5, '1.5 s'],
    [90, '1.5 min'],
    [7200, '2 h'],
    [3 * 86_400, '3 days'],
    [3.4 * SECONDS_PER_YEAR, '3.4 years'],
    [999_000 * SECONDS_PER_YEAR, '999000 years'],
    [1e30 * SECONDS_PER_YEAR, '1.0e+30 years'],
  ];
  for (const [s, want] of cases)
    it(`${String(s)} s → ${want}`, () => {
      assert.equal(humanDuration(s), want);
    });
});

describe('units', () => {
  it('median of odd and even lists, NaN when empty', () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.ok(Number.isNaN(median([])));
  });

  it('duration carries seconds, Julian years and the human reading', () => {
    assert.deepEqual(duration(SECONDS_PER_YEAR * 2), {
      seconds: SECONDS_PER_YEAR * 2,
      years: 2,
      human: '2 years',
    });
  });

  it('humanCount groups digits and switches to scientific notation at 10^9', () => {
    assert.equal(humanCount(1234567), '1,234,567');
    assert.equal(humanCount(2 ** 128), '3.40e+38');
    assert.equal(humanCount(0.00556), '0.00556');
  });
});
