/// <reference types="node" />
// The TypeScript rules against the vectors tests/vectors/generate.py writes from torch and
// matmul_magic/shapes/: same results, same explanations, same error sentences.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

import { broadcastShapes, explainBroadcast, formatShape, parseEinsum, ValueError } from './index';

function vectors<T>(name: string): T[] {
  const url = new URL(`../../../tests/vectors/${name}`, import.meta.url);
  return (JSON.parse(readFileSync(url, 'utf-8')) as { cases: T[] }).cases;
}

function thrown(call: () => unknown): Error {
  try {
    call();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}

interface BroadcastCase {
  shapes: unknown[];
  oracle: 'torch' | 'rules';
  result: number[] | null;
  error: string | null;
  error_type: 'TypeError' | 'ValueError' | null;
  explain: Record<string, unknown> | null;
}

const broadcastCases = vectors<BroadcastCase>('broadcast.json');

describe('broadcast vectors', () => {
  it('has a few hundred cases', () => {
    expect(broadcastCases.length).toBeGreaterThan(300);
  });

  it.each(broadcastCases.map(c => [JSON.stringify(c.shapes), c] as const))('%s', (_, c) => {
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

interface EinsumCase {
  spec: string;
  shapes: unknown[];
  oracle: 'torch' | 'rules';
  shape: number[] | null;
  error: string | null;
  error_type: 'TypeError' | 'ValueError' | null;
  plan: Record<string, unknown> | null;
}

const einsumCases = vectors<EinsumCase>('einsum.json');

describe('einsum vectors', () => {
  it('has a few hundred cases', () => {
    expect(einsumCases.length).toBeGreaterThan(300);
  });

  it.each(einsumCases.map(c => [`${JSON.stringify(c.spec)} ${JSON.stringify(c.shapes)}`, c] as const))(
    '%s',
    (_, c) => {
      if (c.error === null) {
        const plan = parseEinsum(c.spec, ...c.shapes);
        expect(plan.shape).toEqual(c.shape);
        expect(plan).toEqual(c.plan);
        // key order matters to the widgets, which list sizes in order of first appearance
        expect(Object.keys(plan.sizes)).toEqual(Object.keys(c.plan?.sizes as object));
      } else {
        const error = thrown(() => parseEinsum(c.spec, ...c.shapes));
        expect(error.name).toBe(c.error_type);
        expect(error.message).toBe(c.error);
      }
    }
  );
});

describe('einsum rules', () => {
  it("gives the lesson's loop nest", () => {
    const plan = parseEinsum('ik,kj->ij', [5, 784], { shape: [784, 10] });
    expect(plan.summed).toEqual(['k']);
    expect(plan.shape).toEqual([5, 10]);
    expect(plan.loops).toBe(
      'for i in range(5):\n  for j in range(10):\n    for k in range(784):\n      out[i, j] += a[i, k] * b[k, j]'
    );
  });

  it('rejects a spec that is not a string', () => {
    expect(() => parseEinsum(42 as unknown as string, [2])).toThrow(TypeError);
    expect(() => parseEinsum('ij->ii', [2, 2])).toThrow(ValueError);
  });

  it('counts positions in code points, as Python does', () => {
    expect(() => parseEinsum('😀😀x1', [2, 2])).toThrow("Invalid character '😀' at position 0");
    expect(() => parseEinsum('ij,k😀', [2, 2], [2])).toThrow('at position 4');
  });
});
