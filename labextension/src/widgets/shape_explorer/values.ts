// The value view: small tensors (at most MAX_VALUE_SIDE a side) broadcast to the result, the
// copies ghosted as in the lesson's spreadsheet.
import { MAX_VALUE_SIDE } from '../../generated/widgets';
import { cellGrid, disclosure, formatShape, formatValue, h, sameShape } from '../common/dom';
import type { Section } from '../common/section';
import type { ShapeContext, ShapeFrame, Values } from './context';

/** The shape of nested lists of values (`[]` for a scalar). */
export function valuesShape(values: Values): number[] {
  const shape: number[] = [];
  let v: Values | undefined = values;
  while (Array.isArray(v)) {
    shape.push(v.length);
    v = v[0];
  }
  return shape;
}

/** The operand broadcast to `result` (≤ 2-D), copies ghosted as in the lesson's spreadsheet. */
export function valueGrid(name: string, shape: number[], values: Values, result: number[]): HTMLElement {
  const rowsN = result.length === 2 ? result[0] : 1;
  const colsN = result.length === 0 ? 1 : result[result.length - 1];
  const padded = [...Array(result.length - shape.length).fill(null), ...shape] as (number | null)[];
  const label = `${name} broadcast to ${formatShape(result)}`;
  return cellGrid(`${name} ${formatShape(shape)}`, rowsN, colsN, (r, c) => {
    const at = [r, c].slice(2 - result.length); // the cell's index in the result, 0-d to 2-d
    let value: Values = values;
    let copy = false;
    at.forEach((index, d) => {
      // A missing or size-1 dim repeats its one entry: past index 0 the cell is a copy.
      const own = padded[d];
      copy ||= index > 0 && (own === null || own === 1);
      if (own !== null) value = (value as Values[])[own === 1 ? 0 : index];
    });
    const text = formatValue(value);
    return copy ? { text, cls: 'mm-ghost', title: 'a broadcast copy' } : { text };
  }, label);
}

export function values(ctx: ShapeContext): Section<ShapeFrame> {
  const box = h('div.mm-values');
  const el = disclosure('details.mm-value-view', 'Values (broadcast copies ghosted)', true, [box]);
  const update = ({ explanation }: ShapeFrame) => {
    const result = explanation?.result ?? null;
    const { state } = ctx;
    // Values belong to the tensor given; once its shape is edited they no longer apply.
    const shown = state.values
      .map((v, i) => [v, i] as const)
      .filter(([v, i]) => v !== null && sameShape(valuesShape(v), state.shapes[i]));
    el.hidden = shown.length === 0;
    if (shown.length === 0) return;
    if (!result || result.length > 2 || result.some(s => s > MAX_VALUE_SIDE)) {
      const side = `${MAX_VALUE_SIDE}x${MAX_VALUE_SIDE}`;
      const text = result ? `The result is larger than ${side}: values are not shown.` : 'The shapes clash: nothing to show.';
      box.replaceChildren(h('p.mm-caption', { text }));
      return;
    }
    box.replaceChildren(...shown.map(([v, i]) => valueGrid(state.names[i], state.shapes[i], v as Values, result)));
  };
  return { el, update };
}
