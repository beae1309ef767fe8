/// <reference types="node" />
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

import { applyIndexText, IndexError } from './index_text';

interface IndexCase {
  shape: number[];
  expr: string;
  result: number[] | null;
}

const { cases } = JSON.parse(
  readFileSync(new URL('./index_text_cases.json', import.meta.url), 'utf-8')
) as { cases: IndexCase[] };

describe('indexing playground rules (cases checked against torch in tests/test_widgets.py)', () => {
  it.each(cases)('t$expr for t of shape $shape', ({ shape, expr, result }) => {
    if (result === null) {
      expect(() => applyIndexText(shape, expr)).toThrow(IndexError);
    } else {
      expect(applyIndexText(shape, expr)).toEqual(result);
    }
  });

  it('explains text it cannot read', () => {
    expect(() => applyIndexText([3], '')).toThrow(/Type an index/);
    expect(() => applyIndexText([3], '[x]')).toThrow(/use None/);
    expect(() => applyIndexText([3], '.view(3)')).toThrow(/Cannot read/);
    expect(() => applyIndexText([3], '[]')).toThrow(/empty index/);
  });

  it('names the bad dimension as torch does', () => {
    expect(() => applyIndexText([2, 3], '[:, 3]')).toThrow('index 3 is out of bounds for dimension 1 with size 3');
    expect(() => applyIndexText([2, 3], '.unsqueeze(5)')).toThrow('[-3, 2]');
  });
});
