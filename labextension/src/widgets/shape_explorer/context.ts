// What the Shape Explorer's sections share: the state being edited, the typed shapes that do
// not read yet, and the frame (the rules' verdict) computed once per redraw.
import { defaultName, errorText } from '../common/dom';
import { explainBroadcast } from '../../rules';
import type { BroadcastExplanation as Explanation } from '../../rules';
import type { OperandsContext } from '../common/operand_rows';

/** A value for the value view: a number, a string ("nan", complex) or nested lists of them. */
export type Values = number | string | Values[];

export interface ShapeState {
  shapes: number[][];
  /** A label per operand; missing ones are a, b, c... */
  names?: string[];
  /** Per operand its values (tensors of at most 8x8) or null. */
  values?: (Values | null)[];
  /** Per operand `t.stride()` of the tensor given, or null (then a contiguous tensor is shown). */
  strides?: (number[] | null)[];
}

/** The state shown (sections edit it in place, then call commit()), the boxes that do not read. */
export interface ShapeContext extends OperandsContext {
  state: Required<ShapeState>;
}

/** The rules' verdict on the current state, computed once per redraw for every section. */
export interface ShapeFrame {
  explanation: Explanation | null;
  /** Why explainBroadcast refused the shapes ('' when it did not). */
  failure: string;
  /** The messages of boxes that do not read as shapes. */
  problems: string[];
}

export function normalise(state: ShapeState): Required<ShapeState> {
  const shapes = state.shapes.map(s => [...s]);
  const names = shapes.map((_, i) => state.names?.[i] ?? defaultName(i));
  const values = shapes.map((_, i) => state.values?.[i] ?? null);
  const strides = shapes.map((s, i) => {
    const own = state.strides?.[i];
    return own && own.length === s.length ? [...own] : null;
  });
  return { shapes, names, values, strides };
}

export function computeFrame(ctx: ShapeContext): ShapeFrame {
  const problems = [...ctx.problems.values()];
  try {
    return { explanation: explainBroadcast(...ctx.state.shapes), failure: '', problems };
  } catch (err) {
    return { explanation: null, failure: errorText(err), problems };
  }
}

/** The explanation's sentence, with a clash naming both operands and their sizes:
 * `Dimension -1 clashes: m has 3 and c has 4 — sizes must be equal or one of them 1.` */
export function namedReason(explanation: Explanation, names: readonly string[]): string {
  const column = explanation.columns.find(c => c.dim === explanation.clash);
  if (explanation.result !== null || !column) return explanation.reason;
  const first = column.sizes.findIndex(s => s !== null && s !== 1);
  const other = column.sizes.findIndex(s => s !== null && s !== 1 && s !== column.sizes[first]);
  if (first < 0 || other < 0) return explanation.reason;
  const rule = explanation.reason.split(' — ')[1] ?? 'sizes must be equal or one of them 1.';
  return `Dimension ${column.dim} clashes: ${names[first]} has ${column.sizes[first]} and ${names[other]} has ${column.sizes[other]} — ${rule}`;
}
