/// <reference types="node" />
// The TypeScript formatters against tests/vectors/presentation.json, which
// tests/vectors/generate_presentation.py writes from the Python twin: same string, every case.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

import * as format from './format';
import { linearScale, logScale } from './scale';

interface Case {
  fn: string;
  args: unknown[];
  expected: string;
}

const cases: Case[] = JSON.parse(
  readFileSync(new URL('../../../tests/vectors/presentation.json', import.meta.url), 'utf-8')
).cases;

/** `{"float": "nan"}` and friends back to the numbers JSON cannot hold. */
function decode(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(decode);
  }
  if (value && typeof value === 'object' && 'float' in value) {
    return { nan: NaN, inf: Infinity, '-inf': -Infinity, '-0': -0 }[(value as { float: string }).float];
  }
  return value;
}

const camel = (name: string) => name.replace(/_(\w)/g, (_, c: string) => c.toUpperCase());

function call(fn: string, args: unknown[]): string {
  if (fn === 'pick_unit') {
    const [values, kind] = args as [unknown[], string];
    const units = kind === 'time' ? format.TIME_UNITS : format.RATE_UNITS;
    return format.pickUnit(values, units, kind === 'rate')[0];
  }
  const impl = (format as unknown as Record<string, (...a: unknown[]) => string>)[camel(fn)];
  expect(impl, `format.ts has no ${camel(fn)}`).toBeTypeOf('function');
  return impl(...args);
}

describe('presentation vectors', () => {
  it('covers every formatter', () => {
    expect(cases.length).toBeGreaterThan(300);
  });

  it.each(cases.map((c) => [c.fn, JSON.stringify(c.args), c] as const))('%s(%s)', (_fn, _args, c) => {
    expect(call(c.fn, decode(c.args) as unknown[])).toBe(c.expected);
  });

  it('cuts long names by characters, not UTF-16 units', () => {
    expect(format.truncate('abcdef', 4)).toBe('abc…');
    expect(format.truncate('abc', 4)).toBe('abc');
    expect(format.truncate('🙂🙂🙂🙂🙂', 3)).toBe('🙂🙂…');
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

describe('sweep points', () => {
  it('shows a size the race did not reach as not measured, not failed (issue 20)', () => {
    const error = 'not measured: the budget was spent before the race reached this size';
    const point = { median: null, median_low: null, median_high: null, extrapolated: false, error };
    expect(format.formatPoint(point)).toBe('– not measured');
    expect(format.formatPoint({ ...point, error: 'RuntimeError: out of memory' })).toBe('! failed');
  });
});
