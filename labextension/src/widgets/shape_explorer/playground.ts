// The indexing playground: apply None / ... / unsqueeze(d) to one operand, see its new shape,
// and use it in place of the operand.
import { button, errorText, formatShape, h, textBox } from '../common/dom';
import type { Section } from '../common/section';
import type { ShapeContext, ShapeFrame } from './context';
import { applyIndexText } from './index_text';

const INDEX_PRESETS = ['[None]', '[:, None]', '[..., None]', '.unsqueeze(0)', '.unsqueeze(-1)'];

export function playground(ctx: ShapeContext): Section<ShapeFrame> {
  const operandSelect = h('select', { label: 'operand to index' });
  const indexInput = textBox('index expression');
  indexInput.value = '[:, None]';
  const indexOut = h('p', { class: 'mm-mono', attrs: { 'aria-live': 'polite' } });

  const indexed = (): number[] | null => {
    const i = operandSelect.selectedIndex;
    if (i < 0 || i >= ctx.state.shapes.length) return null;
    try {
      return applyIndexText(ctx.state.shapes[i], indexInput.value);
    } catch {
      return null;
    }
  };
  const useButton = button('use this shape', 'replace the operand with the indexed shape', () => {
    const i = operandSelect.selectedIndex;
    const next = indexed();
    if (i < 0 || next === null) return;
    ctx.state.shapes[i] = next;
    ctx.state.values[i] = null;
    ctx.state.strides[i] = null;
    ctx.commit();
  });

  const show = (): void => {
    const { shapes, names } = ctx.state;
    const chosen = Math.max(0, Math.min(operandSelect.selectedIndex, shapes.length - 1));
    operandSelect.replaceChildren(...names.map((name, i) => h('option', { text: `${name} ${formatShape(shapes[i])}` })));
    operandSelect.selectedIndex = chosen;
    try {
      const next = applyIndexText(shapes[chosen], indexInput.value);
      indexOut.className = 'mm-mono';
      indexOut.textContent = `${names[chosen]}${indexInput.value.trim()}.shape → ${formatShape(next)}`;
      useButton.disabled = false;
      indexInput.removeAttribute('aria-invalid');
    } catch (err) {
      indexOut.className = 'mm-error';
      indexOut.textContent = errorText(err);
      useButton.disabled = true;
      indexInput.setAttribute('aria-invalid', 'true');
    }
  };
  const presets = INDEX_PRESETS.map(text =>
    button(text, `index with ${text}`, () => {
      indexInput.value = text;
      show();
    })
  );
  operandSelect.addEventListener('change', show);
  indexInput.addEventListener('input', show);
  const el = h('details', { class: 'mm-playground' }, [
    h('summary', { text: 'Indexing playground' }),
    h('div', { class: 'mm-row' }, [operandSelect, indexInput, useButton]),
    h('div', { class: 'mm-row' }, presets),
    indexOut
  ]);
  return { el, update: show };
}
