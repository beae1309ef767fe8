/// <reference types="node" />
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

import { parseEinsum, ValueError } from './index';

interface EinsumCase {
  spec: string;
  shapes: unknown[];
  oracle: 'torch' | 'rules';
  shape: number[] | null;
  error: string | null;
  error_type: 'TypeError' | 'ValueError' | null;
  plan: Record<string, unknown> | null;
}

const vectors = JSON.parse(
  readFileSync(new URL('../../../tests/vectors/einsum.json', import.meta.url), 'utf-8')
) as { cases: EinsumCase[] };

function thrown(call: () => unknown): Error {
  try {
    call();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}

describe('einsum vectors', () => {
  it('has a few hundred cases', () => {
    expect(vectors.cases.length).toBeGreaterThan(300);
  });

  it.each(vectors.cases.map(c => [`${JSON.stringify(c.spec)} ${JSON.stringify(c.shapes)}`, c] as const))(
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
