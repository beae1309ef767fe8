// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';

import { controlHandles, guardKeys, SUPPRESS } from './keys';
import { h } from './dom';

const key = (k: string, mods: Partial<KeyboardEventInit> = {}) => ({ key: k, ctrlKey: false, metaKey: false, altKey: false, shiftKey: false, ...mods });

afterEach(() => document.body.replaceChildren());

describe('which keys a control keeps from the notebook', () => {
  const range = h('input', { attrs: { type: 'range' } });
  const text = h('input', { attrs: { type: 'text' } });
  const select = h('select');
  const button = h('button');

  it('keeps the keys each control handles', () => {
    for (const k of ['ArrowUp', 'ArrowDown', 'ArrowLeft', 'ArrowRight', 'Home', 'End', 'PageUp', 'PageDown', 'Escape']) {
      expect(controlHandles(range, key(k)), k).toBe(true);
      expect(controlHandles(select, key(k)), k).toBe(true);
    }
    for (const k of ['a', 'j', 'k', 'd', 'Enter', ' ', 'ArrowDown', 'Escape', 'Backspace']) expect(controlHandles(text, key(k)), k).toBe(true);
    for (const k of ['Enter', ' ', 'a']) expect(controlHandles(select, key(k)), k).toBe(true);
    for (const k of ['Enter', ' ', 'Escape']) expect(controlHandles(button, key(k)), k).toBe(true);
  });

  it('lets the notebook have the rest', () => {
    expect(controlHandles(range, key('a'))).toBe(false); // no shortcut stolen without reason
    expect(controlHandles(button, key('ArrowDown'))).toBe(false);
    expect(controlHandles(text, key('Enter', { shiftKey: true }))).toBe(false); // run the cell
    expect(controlHandles(text, key('s', { ctrlKey: true }))).toBe(false); // save
    expect(controlHandles(select, key('Tab'))).toBe(false);
    expect(controlHandles(h('div'), key('ArrowDown'))).toBe(false);
  });
});

describe('guardKeys', () => {
  it("marks the control for the keydown it handles, before the document's listeners see it", () => {
    const root = document.body.appendChild(h('div', {}, [h('input', { attrs: { type: 'range' } })]));
    const slider = root.querySelector('input')!;
    const unguard = guardKeys(root);
    const seen: boolean[] = [];
    // As Notebook 7 listens: the document, capture phase.
    const notebook = (e: Event) => seen.push((e.target as Element).hasAttribute(SUPPRESS));
    document.addEventListener('keydown', notebook, true);
    try {
      slider.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowDown', bubbles: true }));
      slider.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', shiftKey: true, bubbles: true }));
      expect(seen).toEqual([true, false]);
      unguard();
      slider.removeAttribute(SUPPRESS);
      slider.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowDown', bubbles: true }));
      expect(seen).toEqual([true, false, false]);
    } finally {
      document.removeEventListener('keydown', notebook, true);
    }
  });

  it('leaves controls outside its root alone, and unmarks after the event', async () => {
    const root = document.body.appendChild(h('div'));
    const other = document.body.appendChild(h('select'));
    const unguard = guardKeys(root);
    other.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowDown', bubbles: true }));
    expect(other.hasAttribute(SUPPRESS)).toBe(false);
    const mine = root.appendChild(h('select'));
    mine.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowDown', bubbles: true }));
    expect(mine.hasAttribute(SUPPRESS)).toBe(true);
    await new Promise(resolve => setTimeout(resolve, 5));
    expect(mine.hasAttribute(SUPPRESS)).toBe(false);
    unguard();
  });
});
