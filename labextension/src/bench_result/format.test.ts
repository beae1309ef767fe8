import { describe, expect, it } from 'vitest';

import { formatSeconds, formatShape, formatSpeedup, sig3, truncate } from './format';
import { linearScale, logScale } from './scale';

describe('format', () => {
  it('writes three significant figures', () => {
    expect(sig3(0.000190291)).toBe('0.000190');
    expect(sig3(18.2325)).toBe('18.2');
    expect(sig3(521.5189)).toBe('522');
    expect(sig3(95813.95)).toBe('95,814');
    expect(sig3(9.5e-7)).toBe('9.50e-7');
    expect(sig3(0)).toBe('0');
  });

  it('picks the time unit that keeps the number at or above 1', () => {
    expect(formatSeconds(0.412)).toBe('412 ms');
    expect(formatSeconds(2.75)).toBe('2.75 s');
    expect(formatSeconds(4.3e-6)).toBe('4.30 µs');
    expect(formatSeconds(8.6e-8)).toBe('86.0 ns');
    expect(formatSeconds(null)).toBe('—');
    expect(formatSeconds(0)).toBe('0 s');
  });

  it('formats speedups, shapes and long names', () => {
    expect(formatSpeedup(1)).toBe('1.00×');
    expect(formatSpeedup(null)).toBe('—');
    expect(formatShape([5, 784])).toBe('5×784');
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('abc', 4)).toBe('abc');
    expect(truncate('🙂🙂🙂🙂🙂', 3)).toBe('🙂🙂…');
  });
});

describe('scales', () => {
  it('log scale spans whole decades and maps them evenly', () => {
    const s = logScale([4.3e-6, 0.412], [0, 600]);
    expect(s.domain).toEqual([1e-6, 1]);
    expect(s.ticks).toHaveLength(7);
    expect(s(1e-6)).toBeCloseTo(0);
    expect(s(1e-3)).toBeCloseTo(300);
    expect(s(1)).toBeCloseTo(600);
  });

  it('log scale thins its labels over many decades and survives one value', () => {
    expect(logScale([1e-9, 1e6], [0, 1]).ticks.length).toBeLessThanOrEqual(9);
    expect(logScale([5], [0, 1]).domain).toEqual([1, 10]);
    expect(logScale([], [0, 1]).domain).toEqual([1, 10]);
  });

  it('linear scale starts at 0 and ends on a round number', () => {
    const s = linearScale([0.3, 95813], [0, 100]);
    expect(s.domain).toEqual([0, 100000]);
    expect(s.ticks).toEqual([0, 20000, 40000, 60000, 80000, 100000]);
    expect(s(50000)).toBeCloseTo(50);
  });
});
