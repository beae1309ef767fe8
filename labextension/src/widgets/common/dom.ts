// Small DOM helpers shared by the shape views. Text from users or payloads only ever goes
// through textContent or attributes, never through markup.
import { OPERAND_NAMES } from '../../generated/widgets';
import { STYLE_TEXT } from './style';
import { formatNumber } from '../../bench_result/format';

export interface Props {
  class?: string;
  text?: string;
  /** Its aria-label: what a screen reader calls it. */
  label?: string;
  attrs?: Record<string, string>;
}

/** An element: `tag` is a tag name with optional classes after dots (`td.mm-name`, as in CSS). */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K | `${K}.${string}`,
  props: Props = {},
  children: (Node | null | undefined)[] = []
): HTMLElementTagNameMap[K] {
  const [name, ...classes] = tag.split('.');
  const node = document.createElement(name) as HTMLElementTagNameMap[K];
  if (props.class) classes.push(props.class);
  if (classes.length) node.className = classes.join(' ');
  if (props.text !== undefined) node.textContent = props.text;
  if (props.label !== undefined) node.setAttribute('aria-label', props.label);
  for (const [name, value] of Object.entries(props.attrs ?? {})) node.setAttribute(name, value);
  for (const child of children) if (child) node.appendChild(child);
  return node;
}

export function button(text: string, label: string, onClick: () => void, cls = 'mm-button'): HTMLButtonElement {
  const node = h('button', { class: cls, text, label, attrs: { type: 'button', title: label } });
  node.addEventListener('click', onClick);
  return node;
}

// Icons as inline SVG paths (12 x 12): the ▶ ⏸ glyphs show as empty boxes in some fonts
// (Debian's Chromium has no glyph for ⏸), an SVG draws the same everywhere.
const PLAY = 'M3 1.5v9l7.5-4.5z';
const ICONS: Record<string, string> = {
  play: PLAY,
  pause: 'M2.5 1.5h2.5v9h-2.5zM7 1.5h2.5v9h-2.5z',
  back: 'M9 1.5v9l-7.5-4.5z',
  forward: PLAY,
  remove: 'M4.5 1h3v1H11v1.5H1V2h3.5zM2 4.5h8l-.8 7H2.8z'
};

/** An inline SVG icon, hidden from screen readers (the button's label says what it does). */
export function icon(name: keyof typeof ICONS | string): SVGSVGElement {
  const ns = 'http://www.w3.org/2000/svg';
  const root = document.createElementNS(ns, 'svg');
  const attrs = { viewBox: '0 0 12 12', class: `mm-icon mm-icon-${name}`, 'aria-hidden': 'true', focusable: 'false' };
  for (const [key, value] of Object.entries(attrs)) root.setAttribute(key, value);
  const path = document.createElementNS(ns, 'path');
  path.setAttribute('d', ICONS[name] ?? '');
  root.appendChild(path);
  return root;
}

/** Sets a button's content to an icon and a word, icon first unless `after`. */
export function iconLabel(node: HTMLElement, name: string, text: string, after = false): void {
  const parts = [icon(name), document.createTextNode(' '), h('span', { text })];
  node.replaceChildren(...(after ? parts.reverse() : parts));
}

const STYLE_ID = 'matmul-magic-shape-views-style';

/** Adds the views' stylesheet to the element's document once (the bundle is self-contained). */
function ensureStyle(el: HTMLElement): void {
  const doc = el.ownerDocument;
  if (doc.getElementById(STYLE_ID)) return;
  const style = doc.createElement('style');
  style.id = STYLE_ID;
  style.textContent = STYLE_TEXT;
  doc.head.appendChild(style);
}

/**
 * A view's root, after adding the stylesheet to the page: `kind` is its `data-matmul-magic`
 * and its class (`mm-<cls>`, which defaults to the kind).
 */
export function viewRoot(el: HTMLElement, kind: string, label: string, cls = kind): HTMLDivElement {
  ensureStyle(el);
  return h('div', { class: `mm-root mm-${cls}`, label, attrs: { 'data-matmul-magic': kind, role: 'group' } });
}

/** Marks a box's text as not usable (aria-invalid, which the stylesheet outlines), or clears it. */
export function markInvalid(input: HTMLInputElement, invalid: boolean): void {
  if (invalid) input.setAttribute('aria-invalid', 'true');
  else input.removeAttribute('aria-invalid');
}

/** Shows `text` in a message line: a polite status when all is well, an alert otherwise. */
export function say(node: HTMLElement, ok: boolean, text: string): void {
  node.className = ok ? 'mm-reason' : 'mm-error';
  node.setAttribute('role', ok ? 'status' : 'alert');
  node.textContent = text;
}

/** An error's message, as text (never markup). */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** A one-line text box for a shape or an expression (no spell check), named for screen readers. */
export function textBox(label?: string): HTMLInputElement {
  return h('input.mm-shape-input', { label, attrs: { type: 'text', spellcheck: 'false' } });
}

/** A table head: one row of column titles. */
export function tableHead(titles: string[], cls?: string): HTMLTableSectionElement {
  return h('thead', {}, [h('tr', {}, titles.map(text => h('th', { class: cls, text })))]);
}

/** A disclosure (`details`, with classes after dots) titled `summary`, shut unless `open`. */
export const disclosure = (tag: string, summary: string, open: boolean, children: Node[]): HTMLElement =>
  h(tag as 'details', open ? { attrs: { open: '' } } : {}, [h('summary', { text: summary }), ...children]);

/** A disclosure of a caption and a table whose rows go into `body`. */
export const explainedTable = (tag: string, summary: string, caption: string, heads: string[], body: Node, cls?: string) =>
  disclosure(tag, summary, false, [h('p.mm-caption', { text: caption }), h('table.mm-grid', {}, [tableHead(heads, cls), body])]);

/** One cell of a cell grid: its text, and a class and tooltip when it stands out. */
export interface GridCell {
  text: string;
  cls?: string;
  title?: string;
}

/** A captioned table of `rows` x `cols` cells (values or indices), labelled for screen readers
 * (by its caption unless `label` says otherwise). */
export function cellGrid(
  caption: string,
  rows: number,
  cols: number,
  cell: (r: number, c: number) => GridCell,
  label = caption
): HTMLElement {
  const table = h('table.mm-cells', { label });
  for (let r = 0; r < rows; r++) {
    const tr = table.insertRow();
    for (let c = 0; c < cols; c++) {
      const { text, cls, title } = cell(r, c);
      const td = tr.insertCell();
      td.textContent = text;
      if (cls) td.className = cls;
      if (title) td.title = title;
    }
  }
  return h('div', {}, [h('div.mm-caption.mm-mono', { text: caption }), table]);
}

/**
 * An operand's name as text that may wrap only between its tokens (before `.`, `[` or `(`, after
 * `,`), never inside one: `a[i].unsqueeze(-1)` wraps as `a[i]` / `.unsqueeze(-1)` in a narrow panel.
 */
export function nameNodes(name: string): Node[] {
  const parts = name.split(/(?=[.[(])|(?<=,)/).filter(Boolean);
  return parts.flatMap((part, i) => (i ? [document.createElement('wbr'), document.createTextNode(part)] : [document.createTextNode(part)]));
}

/** An operand's default label: a, b, c... (from the widgets' constants, as Python names them). */
export function defaultName(index: number): string {
  return OPERAND_NAMES[index] ?? `x${index}`;
}

// `(5, 1)`, `(4,)`, `()`: the rules' own tuple format, re-exported for the views.
export { formatShape } from '../../rules';

/** Whether two shapes are the same sizes in the same order. */
export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((size, d) => size === b[d]);
}

/** Reads `5,1`, `(5, 1)`, `[5 1]`, `5`, `` (a 0-d tensor) or a pasted `torch.Size([3, 4])`;
 * null when the text is not a shape. */
export function parseShapeText(text: string): number[] | null {
  const size = /^\s*(?:torch\s*\.\s*)?Size\s*\(\s*([\s\S]*?)\s*\)\s*$/.exec(text);
  const bare = size ? size[1] : text;
  const inner = bare.trim().replace(/^[([]\s*/, '').replace(/\s*[)\]]$/, '').trim();
  if (inner === '') return [];
  const parts = inner.split(/\s*,\s*|\s+/).filter((p, i, all) => p !== '' || i < all.length - 1);
  if (parts.some(p => !/^\d+$/.test(p))) return null;
  return parts.map(p => Number(p));
}

/** A cell's value: a fraction through the one formatter (bench_result/format.ts), to three
 * significant figures (`0.333`, `1.23e-7`); an integer or text (`nan`, a complex) as it is. */
export const formatValue = (value: unknown): string =>
  typeof value === 'number' && !Number.isInteger(value) ? formatNumber(value) : String(value);
