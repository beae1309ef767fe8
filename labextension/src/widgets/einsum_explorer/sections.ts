// The Einsum Explorer's sections: the spec box, the operand table (each axis a chip, summed ones
// marked, the output in the footer), the add/remove buttons, the verdict and the loop nest.
import { button, disclosure, formatShape, h, say, tableHead, textBox } from '../common/dom';
import type { EinsumPlan } from '../../rules';
import type { Section } from '../common/section';
import { addButton, resultHead, roomFor, syncOperandRows } from '../common/operand_rows';
import type { OperandRow, OperandsContext } from '../common/operand_rows';
import { axesOf, chip, ELLIPSIS, freshLabel, looseAxes, looseTerms, unquoteSpec, withTerm } from './axes';

export interface EinsumState {
  spec: string;
  shapes: number[][];
  /** A label per operand (the expressions the learner wrote); missing ones are a, b, c... */
  names?: string[];
}

/** The state shown and the boxes that do not read; commit() tells the owner only when all read. */
export interface EinsumContext extends OperandsContext {
  state: Required<EinsumState>;
}

/** The rules' verdict on the spec and shapes, computed once per redraw. */
export interface EinsumFrame {
  plan: EinsumPlan | null;
  /** Why parseEinsum refused, naming the operands as the table does ('' when it did not). */
  failure: string;
}

export function specBox(ctx: EinsumContext): Section<EinsumFrame> {
  const input = textBox('einsum spec');
  input.style.width = '14em';
  input.value = ctx.state.spec;
  input.addEventListener('input', () => {
    ctx.state.spec = unquoteSpec(input.value);
    ctx.commit();
  });
  const el = h('div.mm-row', {}, [h('label', { text: 'torch.einsum(' }), input, h('span', { text: ', …)' })]);
  const update = ({ failure }: EinsumFrame) => {
    if (unquoteSpec(input.value) !== ctx.state.spec) input.value = ctx.state.spec;
    input.setAttribute('aria-invalid', String(failure !== '' && ctx.problems.size === 0));
  };
  return { el, update };
}

/** An operand's axes as chips; on an error, read loosely from the spec, the named indices marked. */
function axisChips(ctx: EinsumContext, { plan, failure }: EinsumFrame, i: number): HTMLElement[] {
  const summed = new Set(plan?.summed ?? []);
  const named = new Set([...failure.matchAll(/\b[Ii]ndex (\S+?)\b/g)].map(m => m[1]));
  const labels = (plan ? plan.inputs : looseTerms(ctx.state.spec))[i] ?? [];
  const shape = ctx.state.shapes[i];
  const axes = plan ? axesOf(labels, shape) : looseAxes(labels, shape);
  return axes.map(([l, size]) =>
    chip(l, size, summed.has(l) || (l === '…' && summed.has(ELLIPSIS)), !plan && (named.has(l) || l === '?' || size === null))
  );
}

export function operandTable(ctx: EinsumContext): Section<EinsumFrame> {
  const rows: OperandRow[] = [];
  const tbody = h('tbody');
  const outRow = h('tr.mm-result-row');
  const el = h('table.mm-grid', { label: 'operands and their axes' }, [
    tableHead(['operand', 'shape', 'axes'], 'mm-name'),
    tbody,
    h('tfoot', {}, [outRow])
  ]);
  const update = (frame: EinsumFrame) => {
    syncOperandRows(ctx, tbody, rows, '5,784');
    rows.forEach(({ own }, i) => own.replaceChildren(...axisChips(ctx, frame, i)));
    const { plan } = frame;
    outRow.replaceChildren(
      ...resultHead('output', plan && plan.shape),
      h('td', {}, (plan ? axesOf(plan.output, plan.shape) : []).map(([l, s]) => chip(l, s, false)))
    );
  };
  return { el, update };
}

/** `+ operand` brings its own term in the spec (one fresh index, size 1), so the spec stays
 * valid; `remove last` drops the last operand and its term (a word: `−` or `×` would read as
 * arithmetic in a matmul lesson). */
export function operandButtons(ctx: EinsumContext): Section<EinsumFrame> {
  const spanned = () => looseTerms(ctx.state.spec).length === ctx.state.shapes.length;
  const add = addButton(ctx, () => {
    if (spanned()) ctx.state.spec = withTerm(ctx.state.spec, freshLabel(ctx.state.spec));
  });
  const remove = button('remove last', '', () => {
    const { state } = ctx;
    if (state.shapes.length <= 1) return;
    if (spanned()) state.spec = withTerm(state.spec, null);
    state.shapes.pop();
    state.names.pop();
    ctx.problems.delete(state.shapes.length);
    ctx.commit();
    if (remove.disabled) add.focus(); // a disabled button drops focus to the page
  });
  const update = () => {
    const { names } = ctx.state;
    add.disabled = !roomFor(ctx);
    remove.disabled = names.length <= 1;
    remove.setAttribute('aria-label', `remove operand ${names[names.length - 1]}`);
    remove.title = remove.getAttribute('aria-label') ?? '';
  };
  return { el: h('div.mm-row', {}, [add, remove]), update };
}

/** What is summed and the output shape, or what is wrong. */
export function verdict(ctx: EinsumContext): Section<EinsumFrame> {
  const el = h('p.mm-reason', { attrs: { 'aria-live': 'polite' } });
  const update = ({ plan, failure }: EinsumFrame) => {
    const messages = [...ctx.problems.values()];
    if (plan && messages.length === 0) {
      const names = plan.summed.map(l => (l === ELLIPSIS ? '…' : l));
      const what = names.length ? `Summed over ${names.join(', ')} (highlighted): ` : 'Nothing is summed: ';
      say(el, true, `${what}output shape ${formatShape(plan.shape)}.`);
    } else {
      say(el, false, [...messages, failure].filter(Boolean).join(' '));
    }
  };
  return { el, update };
}

/** The loop nest einsum stands for, and which table name each loop name stands for. */
export function loopNest(ctx: EinsumContext): Section<EinsumFrame> {
  const loops = h('pre', { label: 'equivalent loops' });
  const loopNames = h('p.mm-caption');
  const el = disclosure('details', 'Equivalent loops', true, [loopNames, loops]);
  const update = ({ plan }: EinsumFrame) => {
    el.hidden = !plan || ctx.problems.size > 0;
    loops.textContent = el.hidden || !plan ? '' : plan.loops;
    if (el.hidden || !plan) return;
    // The loop nest needs names that are not index letters; say which is which.
    const renamed = ctx.state.names.map((n, i) => [n, plan.names[i]]).filter(([n, l]) => n !== l);
    loopNames.hidden = renamed.length === 0;
    loopNames.textContent = renamed.length ? `In the loops, ${renamed.map(([n, l]) => `${n} is ${l}`).join(', ')}.` : '';
  };
  return { el, update };
}
