// The indexing playground: apply None / ... / unsqueeze(d) to one operand, see its new shape,
// and use it in place of the operand.
import { button, disclosure, errorText, formatShape, h, markInvalid, textBox } from '../common/dom';
import type { Section } from '../common/section';
import type { ShapeContext, ShapeFrame } from './context';
import { applyIndexText } from './index_text';

const INDEX_PRESETS = ['[None]', '[:, None]', '[..., None]', '.unsqueeze(0)', '.unsqueeze(-1)'];

export function playground(ctx: ShapeContext): Section<ShapeFrame> {
  const operandSelect = h('select', { label: 'operand to index' });
  const indexInput = textBox('index expression');
  indexInput.value = '[:, None]';
  const indexOut = h('p', { attrs: { 'aria-live': 'polite' } });
  // The operand chosen and its indexed shape (null when the expression does not apply), as shown.
  let chosen = 0;
  let indexed: number[] | null = null;
  const useButton = button('use this shape', 'replace the operand with the indexed shape', () => {
    if (indexed === null) return;
    ctx.state.shapes[chosen] = indexed;
    ctx.state.values[chosen] = null;
    ctx.state.strides[chosen] = null;
    ctx.commit();
  });

  const show = (): void => {
    const { shapes, names } = ctx.state;
    chosen = Math.max(0, Math.min(operandSelect.selectedIndex, shapes.length - 1));
    operandSelect.replaceChildren(...names.map((name, i) => h('option', { text: `${name} ${formatShape(shapes[i])}` })));
    operandSelect.selectedIndex = chosen;
    let text: string;
    try {
      indexed = applyIndexText(shapes[chosen], indexInput.value);
      text = `${names[chosen]}${indexInput.value.trim()}.shape → ${formatShape(indexed)}`;
    } catch (err) {
      indexed = null;
      text = errorText(err);
    }
    indexOut.className = indexed ? 'mm-mono' : 'mm-error';
    indexOut.textContent = text;
    useButton.disabled = !indexed;
    markInvalid(indexInput, !indexed);
  };
  const presets = INDEX_PRESETS.map(text =>
    button(text, `index with ${text}`, () => {
      indexInput.value = text;
      show();
    })
  );
  operandSelect.addEventListener('change', show);
  indexInput.addEventListener('input', show);
  const el = disclosure('details.mm-playground', 'Indexing playground', false, [
    h('div.mm-row', {}, [operandSelect, indexInput, useButton]),
    h('div.mm-row', {}, presets),
    indexOut
  ]);
  return { el, update: show };
}
