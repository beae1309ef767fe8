// The one shape every widget view is built from: sections. Each section builder takes the
// view's context and returns its element and how it redraws; the view puts the elements in
// order under its root and, on every change, computes a frame once and updates each section.
import { h } from './dom';
import { guardKeys } from './keys';

/** One part of a view: its element, and how it shows the frame computed for a new state. */
export interface Section<F> {
  el: HTMLElement;
  update(frame: F): void;
}

/**
 * Fills `root` with the view's title and the sections' elements in order, adds it to `el` and
 * guards its keys (see keys.ts); returns how to update every section, and how to remove it all.
 */
export function mountSections<F>(
  el: HTMLElement,
  root: HTMLElement,
  title: string,
  sections: readonly Section<F>[]
): { redraw: (frame: F) => void; remove: () => void } {
  root.append(h('h3', { text: title }), ...sections.map(section => section.el));
  el.appendChild(root);
  const unguard = guardKeys(root);
  return {
    redraw: frame => sections.forEach(section => section.update(frame)),
    remove: () => {
      unguard();
      root.remove();
    }
  };
}
