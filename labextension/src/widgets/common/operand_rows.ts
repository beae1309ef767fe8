// What the two explorers share about their operands: the rows (a name, a box to type the shape
// in, then a cell the view fills), the result row's first cells, the add button and the view's
// handle. The explorers send only operands the rules accept, so the model (and Python) never see
// a malformed or absurd shape; the box is marked invalid instead.
import { button, defaultName, formatShape, h, markInvalid, nameNodes, parseShapeText, sameShape, textBox } from './dom';
import type { View } from './model';
import { MAX_OPERANDS } from '../../rules';
import { shapesProblem } from './rules';

/** What the operand rows read and edit: the part of an explorer's context they share. */
export interface OperandsContext {
  state: { shapes: number[][]; names: string[] };
  /** Per operand whose box holds text that is not a usable shape: `name: why`. */
  problems: Map<number, string>;
  /** Redraw, then tell the owner about the new state. */
  commit(): void;
  /** Redraw only (a box being fixed). */
  render(): void;
}

/** An operand's table row: its name, its shape box, then a cell the view fills. */
export interface OperandRow {
  tr: HTMLTableRowElement;
  name: HTMLTableCellElement;
  input: HTMLInputElement;
  own: HTMLTableCellElement;
}

/**
 * Operand `i`'s typed shape read into a copy of the shapes; null when it cannot be used, with
 * `name: why` kept in `problems` (and the box marked invalid) until the text is fixed.
 */
function readShape(ctx: OperandsContext, input: HTMLInputElement, i: number, example: string): number[][] | null {
  const parsed = parseShapeText(input.value);
  const next = parsed && ctx.state.shapes.map((s, j) => (j === i ? parsed : [...s]));
  const problem = next ? shapesProblem(next) : `"${input.value}" is not a shape; type sizes like ${example}.`;
  markInvalid(input, problem !== null);
  if (problem === null) ctx.problems.delete(i);
  else ctx.problems.set(i, `${ctx.state.names[i]}: ${problem}`);
  return problem === null ? next : null;
}

/**
 * Keeps one row per operand in `tbody`, adding (`added` fills a new row's own cell) or dropping
 * rows at the end, and shows each operand's name and shape. A typed shape that reads is
 * committed (`edited` sees it first, with the operand's index); one that does not only redraws.
 * A box that holds an edit being fixed keeps its text.
 */
export function syncOperandRows(
  ctx: OperandsContext,
  tbody: HTMLElement,
  rows: OperandRow[],
  example: string,
  added: (row: OperandRow) => void = () => undefined,
  edited: (i: number, next: number[][]) => void = () => undefined
): void {
  const { shapes, names } = ctx.state;
  while (rows.length < shapes.length) {
    const input = textBox();
    const row: OperandRow = { tr: h('tr'), name: h('td.mm-name.mm-mono'), input, own: h('td') };
    row.tr.append(row.name, h('td', {}, [input]), row.own);
    // The listener outlives this call: it reads ctx.state when it fires, not this one.
    input.addEventListener('input', () => {
      const i = rows.indexOf(row);
      if (i < 0) return;
      const next = readShape(ctx, input, i, example);
      if (next === null) return ctx.render();
      edited(i, next);
      ctx.state.shapes = next;
      ctx.commit();
    });
    added(row);
    tbody.appendChild(row.tr);
    rows.push(row);
  }
  while (rows.length > shapes.length) rows.pop()?.tr.remove();
  rows.forEach(({ name, input }, i) => {
    name.replaceChildren(...nameNodes(names[i]));
    input.setAttribute('aria-label', `shape of ${names[i]}`);
    if (ctx.problems.has(i)) return;
    markInvalid(input, false);
    const parsed = parseShapeText(input.value);
    if (parsed === null || !sameShape(parsed, shapes[i])) input.value = shapes[i].join(', ');
  });
}

/** The result row's first cells: what it is (`result`, `output`) and its shape, if there is one. */
export function resultHead(word: string, shape: readonly number[] | null): HTMLElement[] {
  return [h('td.mm-name', { text: word }), h('td.mm-mono', { text: shape ? formatShape(shape) : 'no result' })];
}

/**
 * `+ operand`: a new (1,) operand named by the next letter, after `more` adds the view's own part;
 * keyboard focus goes to the new operand's shape box, ready for its sizes.
 */
export function addButton(ctx: OperandsContext, more: () => void): HTMLButtonElement {
  const add = button('+ operand', 'add an operand', () => {
    const { shapes, names } = ctx.state;
    if (shapes.length >= MAX_OPERANDS) return;
    more();
    shapes.push([1]);
    names.push(defaultName(shapes.length - 1));
    ctx.commit();
    const boxes = add.closest('.mm-root')?.querySelectorAll<HTMLInputElement>('input[aria-label^="shape of "]');
    boxes?.[boxes.length - 1]?.focus();
  });
  return add;
}

/** Whether another operand fits (the add button is disabled when not). */
export const roomFor = (ctx: OperandsContext): boolean => ctx.state.shapes.length < MAX_OPERANDS;

/** An explorer's handle: show a state from elsewhere (dropping any box's unread text), or remove it. */
export function explorerHandle<S, C extends OperandsContext>(ctx: C, remove: () => void, own: (state: S) => C['state']): View<S> {
  return {
    update(next: S): void {
      ctx.state = own(next);
      ctx.problems.clear();
      ctx.render();
    },
    destroy: remove
  };
}
