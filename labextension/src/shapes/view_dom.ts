// Small DOM helpers shared by the shape views. Text from users or payloads only ever goes
// through textContent or attributes, never through markup.
import { STYLE_TEXT } from './view_style';

export interface Props {
  class?: string;
  text?: string;
  attrs?: Record<string, string>;
}

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props = {},
  children: (Node | null | undefined)[] = []
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (props.class) node.className = props.class;
  if (props.text !== undefined) node.textContent = props.text;
  for (const [name, value] of Object.entries(props.attrs ?? {})) node.setAttribute(name, value);
  for (const child of children) if (child) node.appendChild(child);
  return node;
}

export function button(text: string, label: string, onClick: () => void, cls = 'mm-button'): HTMLButtonElement {
  const node = h('button', { class: cls, text, attrs: { type: 'button', 'aria-label': label, title: label } });
  node.addEventListener('click', onClick);
  return node;
}

const STYLE_ID = 'matmul-magic-shape-views-style';

/** Adds the views' stylesheet to the element's document once (the bundle is self-contained). */
export function ensureStyle(el: HTMLElement): void {
  const doc = el.ownerDocument;
  if (doc.getElementById(STYLE_ID)) return;
  const style = doc.createElement('style');
  style.id = STYLE_ID;
  style.textContent = STYLE_TEXT;
  doc.head.appendChild(style);
}

/** The default operand names: a, b, c... */
export function defaultName(index: number): string {
  return String.fromCharCode(97 + index);
}

/** `(5, 1)`, `(4,)`, `()`: shapes written as Python prints a tuple. */
export function formatShape(shape: readonly number[] | null): string {
  if (shape === null) return 'None';
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}

/** Reads `5,1`, `(5, 1)`, `[5 1]`, `5` or `` (a 0-d tensor); null when the text is not a shape. */
export function parseShapeText(text: string): number[] | null {
  const inner = text.trim().replace(/^[([]\s*/, '').replace(/\s*[)\]]$/, '').trim();
  if (inner === '') return [];
  const parts = inner.split(/\s*,\s*|\s+/).filter((p, i, all) => p !== '' || i < all.length - 1);
  if (parts.some(p => !/^\d+$/.test(p))) return null;
  return parts.map(p => Number(p));
}

/** A number for a small cell: integers as they are, others to 3 significant digits. */
export function formatValue(value: unknown): string {
  if (typeof value === 'number') {
    if (Number.isInteger(value)) return String(value);
    return Number(value.toPrecision(3)).toString();
  }
  return String(value);
}
