/// <reference types="node" />
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

import { broadcastShapes, explainBroadcast, formatShape, ValueError } from './index';

interface BroadcastCase {
  shapes: unknown[];
  oracle: 'torch' | 'rules';
  result: number[] | null;
  error: string | null;
  error_type: 'TypeError' | 'ValueError' | null;
  explain: Record<string, unknown> | null;
}

const vectors = JSON.parse(
  readFileSync(new URL('../../../tests/vectors/broadcast.json', import.meta.url), 'utf-8')
) as { cases: BroadcastCase[] };

function thrown(call: () => unknown): Error {
  try {
    call();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}

describe('broadcast vectors', () => {
  it('has a few hundred cases', () => {
    expect(vectors.cases.length).toBeGreaterThan(300);
  });

  it.each(vectors.cases.map(c => [JSON.stringify(c.shapes), c] as const))('%s', (_, c) => {
    if (c.error === null) {
      expect(broadcastShapes(...c.shapes)).toEqual(c.result);
    } else {
      const error = thrown(() => broadcastShapes(...c.shapes));
      expect(error.name).toBe(c.error_type);
      expect(error.message).toBe(c.error);
    }
    if (c.explain === null) {
      expect(() => explainBroadcast(...c.shapes)).toThrow(c.error ?? undefined);
    } else {
      expect(explainBroadcast(...c.shapes)).toEqual(c.explain);
    }
  });
});

describe('broadcast rules', () => {
  it('reports the lesson clash in the numpy rule words', () => {
    const explanation = explainBroadcast([5, 784], [10]);
    expect(explanation.ok).toBe(false);
    expect(explanation.reason).toBe('Dimension -1: 784 and 10 clash — sizes must be equal or one of them 1.');
    expect(() => broadcastShapes([5, 784], [10])).toThrow(ValueError);
  });

  it('accepts anything with a shape', () => {
    expect(broadcastShapes({ shape: [5, 1] }, [3])).toEqual([5, 3]);
  });

  it('formats shapes as Python tuples', () => {
    expect(formatShape([])).toBe('()');
    expect(formatShape([3])).toBe('(3,)');
    expect(formatShape([5, 784])).toBe('(5, 784)');
  });

  it('rejects JS values JSON cannot carry', () => {
    expect(() => broadcastShapes([NaN])).toThrow('Operand 0, dimension 0: nan is not an integer.');
    expect(() => broadcastShapes([Infinity])).toThrow('Operand 0, dimension 0: inf is not an integer.');
    expect(() => broadcastShapes([2 ** 60])).toThrow(`size ${2n ** 60n} is too large.`);
    expect(() => broadcastShapes(undefined)).toThrow(TypeError);
    expect(broadcastShapes([3n, 1n] as unknown as number[])).toEqual([3, 1]);
  });
});
