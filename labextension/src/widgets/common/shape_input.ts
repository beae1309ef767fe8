// Reading a typed shape: the explorers send only operands the rules accept, so the model (and
// Python) never see a malformed or absurd shape; the input is marked invalid instead.
import { h, parseShapeText, sameShape } from './dom';
import { shapesProblem } from './rules';

/**
 * Operand `index`'s typed shape read into a copy of `shapes`; null when it cannot be used, with
 * `name: why` kept in `problems` (and the box marked invalid) until the text is fixed.
 */
export function readShapeInput(
  input: HTMLInputElement,
  shapes: number[][],
  index: number,
  example: string,
  problems: Map<number, string>,
  name: string
): number[][] | null {
  const parsed = parseShapeText(input.value);
  const next = parsed === null ? null : shapes.map((s, j) => (j === index ? parsed : [...s]));
  const problem =
    next === null ? `"${input.value}" is not a shape; type sizes like ${example}.` : shapesProblem(next);
  if (next === null || problem !== null) {
    input.setAttribute('aria-invalid', 'true');
    problems.set(index, `${name}: ${problem ?? ''}`);
    return null;
  }
  input.removeAttribute('aria-invalid');
  problems.delete(index);
  return next;
}

/** An operand's table row: its name, its shape box, then a cell the view fills. */
export interface OperandRow {
  tr: HTMLTableRowElement;
  name: HTMLTableCellElement;
  input: HTMLInputElement;
  own: HTMLTableCellElement;
}

/**
 * Keeps one row per operand in `tbody`, adding (`added` fills a new row's own cell) or dropping
 * rows at the end; typing in a row's shape box calls `onInput` with the row's index.
 */
export function syncOperandRows(
  tbody: HTMLElement,
  rows: OperandRow[],
  count: number,
  onInput: (index: number) => void,
  added: (row: OperandRow) => void = () => undefined
): void {
  while (rows.length < count) {
    const input = h('input', { class: 'mm-shape-input', attrs: { type: 'text', spellcheck: 'false' } });
    const row: OperandRow = { tr: h('tr'), name: h('td', { class: 'mm-name mm-mono' }), input, own: h('td') };
    row.tr.append(row.name, h('td', {}, [row.input]), row.own);
    row.input.addEventListener('input', () => onInput(rows.indexOf(row)));
    added(row);
    tbody.appendChild(row.tr);
    rows.push(row);
  }
  while (rows.length > count) rows.pop()?.tr.remove();
}

/** Shows `shape` in the box, unless it already reads as that shape or holds an edit being fixed. */
export function showShape(input: HTMLInputElement, shape: readonly number[], editing: boolean): void {
  const parsed = parseShapeText(input.value);
  if (!editing && (parsed === null || !sameShape(parsed, shape))) input.value = shape.join(', ');
}
