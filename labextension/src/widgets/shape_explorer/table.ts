// The Shape Explorer's operand table: one row per operand (its name, a shape box, a remove
// button, then its sizes right-aligned and coloured by the rule), the result in the footer,
// the legend of the rule's colours, the add button and the sentence that explains it all.
import { KIND_LEGEND } from '../../generated/widgets';
import { button, h, iconLabel, sameShape, say } from '../common/dom';
import type { Kind } from '../../rules';
import type { Section } from '../common/section';
import { addButton, resultHead, roomFor, syncOperandRows } from '../common/operand_rows';
import type { OperandRow } from '../common/operand_rows';
import { namedReason } from './context';
import type { ShapeContext, ShapeFrame } from './context';

function headCells(ndim: number): HTMLElement[] {
  return [
    ...['operand', 'shape'].map(text => h('th.mm-name', { text })),
    h('th'),
    // `dim -2`; a narrow host shows `-2` under the same name (the word is hidden, not dropped).
    ...Array.from({ length: ndim }, (_, c) =>
      h('th', { attrs: { scope: 'col', title: `dim ${c - ndim}` } }, [
        h('span.mm-dim-word', { text: 'dim ' }),
        document.createTextNode(String(c - ndim))
      ])
    )
  ];
}

/** Operand `i`'s size cells, one per dim; a box being fixed draws `?` (its old shape would mislead). */
function sizeCells(ctx: ShapeContext, frame: ShapeFrame, i: number, ndim: number): HTMLElement[] {
  const shape = ctx.state.shapes[i];
  const unreadable = ctx.problems.has(i);
  return Array.from({ length: ndim }, (_, c) => {
    const column = frame.explanation?.columns[c];
    const size = column ? column.sizes[i] : shape[shape.length - ndim + c];
    const kind: Kind | undefined = unreadable ? undefined : column?.kinds[i];
    const text = unreadable ? '?' : size === null || size === undefined ? '1' : String(size);
    const cell = h('td', { class: `mm-dim${kind ? ` mm-rule-${kind}` : ''}${unreadable ? ' mm-unread' : ''}`, text });
    if (kind) cell.title = `${ctx.state.names[i]}, dim ${c - ndim}: ${KIND_LEGEND[kind]}`;
    return cell;
  });
}

function resultCells(frame: ShapeFrame, ndim: number): HTMLElement[] {
  const unread = frame.problems.length > 0;
  const result = unread ? null : (frame.explanation?.result ?? null);
  return [
    ...resultHead('result', result),
    h('td'),
    ...Array.from({ length: ndim }, (_, c) => {
      const size = unread ? undefined : frame.explanation?.columns[c]?.size;
      const clash = !unread && (size === null || size === undefined);
      return h('td', { class: `mm-dim${clash ? ' mm-rule-clash' : ''}`, text: unread ? '?' : clash ? '✗' : String(size) });
    })
  ];
}

/**
 * A remove button for a row (a word, not `×`, which reads as "times" in a matmul lesson): drops
 * that operand from every per-operand list, then keeps keyboard focus in the table, on the
 * remove button now in that place (or the last row's), else on that row's shape box.
 */
function removeButton(ctx: ShapeContext, rows: OperandRow[], row: OperandRow): HTMLButtonElement {
  const node = button('remove', '', () => {
    const { state } = ctx;
    const at = rows.indexOf(row);
    if (state.shapes.length <= 1 || at < 0) return;
    for (const list of [state.shapes, state.names, state.values, state.strides]) list.splice(at, 1);
    ctx.problems.clear();
    ctx.commit();
    const next = rows[Math.min(at, rows.length - 1)];
    const remove = next.own.firstChild as HTMLButtonElement;
    (remove.disabled ? next.input : remove).focus();
  }, 'mm-button mm-remove');
  iconLabel(node, 'remove', 'remove'); // a narrow host shows the icon alone
  return node;
}

function syncRows(ctx: ShapeContext, tbody: HTMLElement, rows: OperandRow[]): void {
  const { state } = ctx;
  const add = (row: OperandRow) => row.own.append(removeButton(ctx, rows, row));
  // An edited shape drops the strides the tensor was given (they were for its old shape).
  const edited = (i: number, next: number[][]) => {
    if (!sameShape(next[i], ctx.state.shapes[i])) ctx.state.strides[i] = null;
  };
  syncOperandRows(ctx, tbody, rows, '5,1 (empty for a 0-d tensor)', add, edited);
  rows.forEach((row, i) => {
    const remove = row.own.firstChild as HTMLButtonElement;
    remove.setAttribute('aria-label', `remove operand ${state.names[i]}`);
    remove.title = `remove operand ${state.names[i]}`;
    remove.disabled = state.shapes.length <= 1;
  });
}

export function operandTable(ctx: ShapeContext): Section<ShapeFrame> {
  const rows: OperandRow[] = [];
  const headRow = h('tr');
  const tbody = h('tbody');
  const resultRow = h('tr.mm-result-row');
  const el = h('table.mm-grid.mm-shapes', { label: 'shapes, right-aligned' }, [
    h('thead', {}, [headRow]),
    tbody,
    h('tfoot', {}, [resultRow])
  ]);
  const update = (frame: ShapeFrame) => {
    syncRows(ctx, tbody, rows);
    const { explanation } = frame;
    const ndim = explanation ? explanation.columns.length : Math.max(0, ...ctx.state.shapes.map(s => s.length));
    headRow.replaceChildren(...headCells(ndim));
    rows.forEach((row, i) => {
      while (row.tr.cells.length > 3) row.tr.deleteCell(3);
      row.tr.append(...sizeCells(ctx, frame, i, ndim));
    });
    resultRow.replaceChildren(...resultCells(frame, ndim));
  };
  return { el, update };
}

/** The rule's colours, named. */
export function legend(): Section<ShapeFrame> {
  const kinds = Object.keys(KIND_LEGEND) as Kind[];
  const el = h(
    'div.mm-legend',
    { attrs: { 'aria-hidden': 'true' } },
    kinds.map(kind => h('span', { class: `mm-rule-${kind}`, text: KIND_LEGEND[kind] }))
  );
  return { el, update: () => undefined };
}

/** `+ operand`: a new (1,) operand named by the next letter, no values or strides given. */
export function addOperand(ctx: ShapeContext): Section<ShapeFrame> {
  const add = addButton(ctx, () => {
    ctx.state.values.push(null);
    ctx.state.strides.push(null);
  });
  return { el: h('div.mm-row', {}, [add]), update: () => (add.disabled = !roomFor(ctx)) };
}

/** The one sentence: the result, the clash, or (only that) why a typed shape cannot be read. */
export function verdict(ctx: ShapeContext): Section<ShapeFrame> {
  const el = h('p.mm-reason', { attrs: { 'aria-live': 'polite' } });
  const update = ({ explanation, failure, problems }: ShapeFrame) => {
    const ok = explanation !== null && explanation.result !== null && problems.length === 0;
    const why = problems.length
      ? problems.join(' ')
      : failure || (explanation ? namedReason(explanation, ctx.state.names) : '');
    say(el, ok, why);
  };
  return { el, update };
}
