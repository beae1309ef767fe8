// What each step of the stepper does: how many steps a level takes (from the widgets' constants,
// as Python counts them), and which cells of a, b and c one step reads or writes.
import { LEVELS } from '../../generated/widgets';
import type { Values } from '../shape_explorer/view';

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
}

export function focusAt(level: number, step: number, k: number, n: number): Focus {
  const none = () => false;
  if (step <= 0) {
    return { aCells: none, bCells: none, cCells: none, terms: () => 0, text: 'Nothing computed yet.' };
  }
  const t = step - 1;
  const cell = Math.floor(t / k);
  // Where the step is: c[i,j]'s term kk at level 0, c[i,j] at level 1, row i at level 2.
  const [i, j, kk] = level === 0 ? [Math.floor(cell / n), cell % n, t % k] : level === 1 ? [Math.floor(t / n), t % n, 0] : [t, 0, 0];
  // The level's own step, as Python writes it, with this step's indices in place of i, j and k.
  const text = LEVELS[level].step.replace(/\b[ijk]\b/g, name => String({ i, j, k: kk }[name]));
  const cCell = (r: number, c: number) => r === i && c === j;
  if (level === 0) {
    const terms = (r: number, c: number) => (r * n + c < cell ? k : r * n + c === cell ? kk + 1 : 0);
    return { aCells: (r, c) => r === i && c === kk, bCells: (r, c) => r === kk && c === j, cCells: cCell, terms, text };
  }
  if (level === 1) {
    return { aCells: r => r === i, bCells: (_r, c) => c === j, cCells: cCell, terms: (r, c) => (r * n + c <= t ? k : 0), text };
  }
  if (level === 2) {
    return { aCells: r => r === t, bCells: () => true, cCells: r => r === t, terms: r => (r <= t ? k : 0), text };
  }
  return { aCells: () => true, bCells: () => true, cCells: () => true, terms: () => k, text };
}

export function partialSum(a: Values[], b: Values[], i: number, j: number, terms: number): number {
  let sum = 0;
  for (let kk = 0; kk < terms; kk++) {
    sum += Number((a[i] as Values[])[kk]) * Number((b[kk] as Values[])[j]);
  }
  return sum;
}

