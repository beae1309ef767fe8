// What each step of the stepper does: how many steps a level takes (from the widgets' constants,
// as Python counts them), and which cells of a, b and c one step reads or writes.
import { LEVELS } from '../../generated/widgets';
import type { Values } from '../shape_explorer/view';
import { formatValue } from '../common/dom';

/** How many Python-level steps `level` takes for an (m, K) @ (K, n) product. */
export function stepsAt(level: number, m: number, k: number, n: number): number {
  const dims = { m, k, n };
  return LEVELS[level].steps.reduce((count, dim) => count * dims[dim], 1);
}

/** What step `step` (1-based, 0 = nothing done) touches at `level`. */
export interface Focus {
  /** Rows of a, columns of b and cells of c that the step reads or writes. */
  aCells: (i: number, k: number) => boolean;
  bCells: (k: number, j: number) => boolean;
  cCells: (i: number, j: number) => boolean;
  /** How many k terms of c[i,j] are summed after this step (K when finished, 0 when not started). */
  terms: (i: number, j: number) => number;
  /** One line saying what the step did. */
  text: string;
  /** Where the step is: c[i,j]'s term k at level 0, c[i,j] at level 1, row i at level 2; null
   * before the first step and at the whole-product level. */
  at: { i: number; j: number; k: number } | null;
}

export function focusAt(level: number, step: number, k: number, n: number): Focus {
  const none = () => false;
  if (step <= 0) {
    return { aCells: none, bCells: none, cCells: none, terms: () => 0, text: 'Nothing computed yet.', at: null };
  }
  const t = step - 1;
  const cell = Math.floor(t / k);
  // Where the step is: c[i,j]'s term kk at level 0, c[i,j] at level 1, row i at level 2.
  const [i, j, kk] = level === 0 ? [Math.floor(cell / n), cell % n, t % k] : level === 1 ? [Math.floor(t / n), t % n, 0] : [t, 0, 0];
  // The level's own step, as Python writes it, with this step's indices in place of i, j and k.
  const text = LEVELS[level].step.replace(/\b[ijk]\b/g, name => String({ i, j, k: kk }[name]));
  const cCell = (r: number, c: number) => r === i && c === j;
  const at = { i, j, k: kk };
  if (level === 0) {
    const terms = (r: number, c: number) => (r * n + c < cell ? k : r * n + c === cell ? kk + 1 : 0);
    return { aCells: (r, c) => r === i && c === kk, bCells: (r, c) => r === kk && c === j, cCells: cCell, terms, text, at };
  }
  if (level === 1) {
    return { aCells: r => r === i, bCells: (_r, c) => c === j, cCells: cCell, terms: (r, c) => (r * n + c <= t ? k : 0), text, at };
  }
  if (level === 2) {
    return { aCells: r => r === t, bCells: () => true, cCells: r => r === t, terms: r => (r <= t ? k : 0), text, at };
  }
  return { aCells: () => true, bCells: () => true, cCells: () => true, terms: () => k, text, at: null };
}

const cellOf = (m: Values[], r: number, c: number) => Number((m[r] as Values[])[c]);

/**
 * The numbers the step multiplies and what it leaves in c, e.g. `2 × 0 = 0, so c[0,1] = 3` at
 * level 0 or `1×1 + 2×0 + 3×1 = 4` at level 1; '' without values or a step.
 */
export function stepValues(level: number, focus: Focus, a: Values[], b: Values[], k: number, n: number): string {
  if (!focus.at) return '';
  const { i, j, k: kk } = focus.at;
  // A step beyond this level's run (a level and its step arriving from Python one at a time).
  if (!Array.isArray(a[i]) || !Array.isArray(b[kk]) || j >= n) return '';
  const num = (x: number) => formatValue(x);
  if (level === 0) {
    const [x, y] = [cellOf(a, i, kk), cellOf(b, kk, j)];
    return `${num(x)} × ${num(y)} = ${num(x * y)}, so c[${i},${j}] = ${num(partialSum(a, b, i, j, kk + 1))}`;
  }
  if (level === 1) {
    const products = Array.from({ length: k }, (_, t) => `${num(cellOf(a, i, t))}×${num(cellOf(b, t, j))}`);
    return `${products.join(' + ')} = ${num(partialSum(a, b, i, j, k))}`;
  }
  const row = Array.from({ length: n }, (_, c) => num(partialSum(a, b, i, c, k)));
  return `c[${i}] = [${row.join(', ')}]`;
}

/** c[i,j] after its first `terms` products, summed left to right as the loop does. */
export function partialSum(a: Values[], b: Values[], i: number, j: number, terms: number): number {
  return Array.from({ length: terms }, (_, t) => cellOf(a, i, t) * cellOf(b, t, j)).reduce((sum, x) => sum + x, 0);
}

