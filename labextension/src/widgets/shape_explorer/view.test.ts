// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';

import { renderShapeExplorer, valueGrid } from './view';
import type { ShapeState } from './view';
import { contiguousStrides, expandStrides } from '../common/rules';
import widget from '../index';

function mount(state: ShapeState) {
  const el = document.createElement('div');
  document.body.appendChild(el);
  const onChange = vi.fn();
  const view = renderShapeExplorer(el, state, onChange);
  return { el, view, onChange };
}

function type(input: HTMLInputElement, text: string): void {
  input.value = text;
  input.dispatchEvent(new Event('input', { bubbles: true }));
}

const q = <T extends Element>(el: Element, sel: string) => el.querySelector(sel) as T;
const qa = (el: Element, sel: string) => [...el.querySelectorAll(sel)];

afterEach(() => {
  document.body.replaceChildren();
});

describe('shape explorer view', () => {
  it('marks its root and right-aligns dims with a class per rule', () => {
    const { el } = mount({ shapes: [[5, 1], [4]] });
    expect(q(el, '[data-matmul-magic="shape-explorer"]')).not.toBeNull();
    const rows = qa(el, 'table.mm-shapes > tbody > tr');
    const kinds = rows.map(r => qa(r, 'td.mm-dim').map(td => td.className.replace('mm-dim mm-rule-', '')));
    expect(kinds).toEqual([
      ['equal', 'stretched'],
      ['missing', 'equal']
    ]);
    expect(qa(el, 'table.mm-shapes tfoot td.mm-dim').map(td => td.textContent)).toEqual(['5', '4']);
    expect(q(el, '.mm-reason').textContent).toContain('(5, 4)');
  });

  it('shows a clash as an error sentence naming the dimension', () => {
    const { el } = mount({ shapes: [[2, 3], [4]] });
    const message = q<HTMLElement>(el, '[role="alert"]');
    expect(message.textContent).toBe('Dimension -1 clashes: a has 3 and b has 4 — sizes must be equal or one of them 1.');
    expect(qa(el, 'td.mm-rule-clash').length).toBeGreaterThan(0);
  });

  it('recomputes live and reports edited shapes', () => {
    const { el, onChange } = mount({ shapes: [[5, 1], [4]] });
    const input = q<HTMLInputElement>(el, 'input[aria-label="shape of b"]');
    type(input, '3,1,4');
    expect(onChange).toHaveBeenLastCalledWith({
      shapes: [[5, 1], [3, 1, 4]],
      names: ['a', 'b'],
      values: [null, null],
      strides: [null, null]
    });
    expect(q(el, 'tfoot .mm-mono').textContent).toBe('(3, 5, 4)');
    expect(document.activeElement === input || document.activeElement === document.body).toBe(true);
    expect(input.isConnected).toBe(true);
  });

  it('keeps bad typing local and says what is wrong', () => {
    const { el, onChange } = mount({ shapes: [[5, 1]] });
    const input = q<HTMLInputElement>(el, 'input[aria-label="shape of a"]');
    type(input, '5,x');
    expect(onChange).not.toHaveBeenCalled();
    expect(input.getAttribute('aria-invalid')).toBe('true');
    expect(q(el, '[role="alert"]').textContent).toContain('is not a shape');
    type(input, '-1');
    expect(onChange).not.toHaveBeenCalled();
    type(input, '99999999999999999999');
    expect(q(el, '[role="alert"]').textContent).toContain('too large');
    type(input, '4294967296,4294967296,4294967296');
    expect(q(el, '[role="alert"]').textContent).toContain('more than');
    expect(onChange).not.toHaveBeenCalled();
    type(input, '5,1');
    expect(onChange).toHaveBeenCalledTimes(1);
    expect(input.hasAttribute('aria-invalid')).toBe(false);
  });
});

describe('shape explorer view: typed shapes and operands', () => {
  it('shows an unreadable shape as the only message, without drawing sizes for it', () => {
    const { el } = mount({ shapes: [[256, 256, 3], [3]], names: ['image', 'scale'] });
    type(q<HTMLInputElement>(el, 'input[aria-label="shape of scale"]'), 'abc');
    const message = q<HTMLElement>(el, '[role="alert"]');
    expect(message.textContent).toBe('scale: "abc" is not a shape; type sizes like 5,1 (empty for a 0-d tensor).');
    expect(el.textContent).not.toContain('Broadcasts to');
    const row = qa(el, 'table.mm-shapes > tbody > tr')[1];
    expect(qa(row, 'td.mm-dim').map(td => td.textContent)).toEqual(['?', '?', '?']);
    expect(q(el, 'tfoot .mm-mono').textContent).toBe('no result');
  });

  it('accepts a pasted torch.Size', () => {
    const { el, onChange } = mount({ shapes: [[3, 3], [4]] });
    type(q<HTMLInputElement>(el, 'input[aria-label="shape of b"]'), 'torch.Size([3])');
    expect(onChange).toHaveBeenLastCalledWith(expect.objectContaining({ shapes: [[3, 3], [3]] }));
    type(q<HTMLInputElement>(el, 'input[aria-label="shape of b"]'), 'Size([1, 3])');
    expect(onChange).toHaveBeenLastCalledWith(expect.objectContaining({ shapes: [[3, 3], [1, 3]] }));
  });

  it('names both operands of a clash', () => {
    const { el } = mount({ shapes: [[3, 3], [4]], names: ['m', 'c'] });
    expect(q(el, '[role="alert"]').textContent).toContain('m has 3 and c has 4');
  });

  it('accepts 0-d and zero-size shapes', () => {
    const { el, onChange } = mount({ shapes: [[], [3, 0]] });
    expect(q(el, 'tfoot .mm-mono').textContent).toBe('(3, 0)');
    type(q<HTMLInputElement>(el, 'input[aria-label="shape of a"]'), '');
    expect(onChange).toHaveBeenLastCalledWith(expect.objectContaining({ shapes: [[], [3, 0]] }));
  });

  it('adds and removes operands up to the limit of 8', () => {
    const { el, onChange } = mount({ shapes: [[1]] });
    const add = q<HTMLButtonElement>(el, 'button[aria-label="add an operand"]');
    for (let i = 0; i < 10; i++) add.click();
    expect(qa(el, 'table.mm-shapes > tbody > tr').length).toBe(8);
    expect(add.disabled).toBe(true);
    q<HTMLButtonElement>(el, 'button[aria-label="remove operand c"]').click();
    expect(onChange.mock.lastCall?.[0].shapes.length).toBe(7);
    expect(onChange.mock.lastCall?.[0].names).toEqual(['a', 'b', 'd', 'e', 'f', 'g', 'h']);
  });

  it('updates from outside without clobbering what is typed', () => {
    const { el, view } = mount({ shapes: [[5, 1], [4]] });
    const input = q<HTMLInputElement>(el, 'input[aria-label="shape of a"]');
    type(input, '(5, 1)');
    view.update({ shapes: [[5, 1], [3, 4]], names: ['x', 'y'] });
    expect(input.value).toBe('(5, 1)');
    expect(q<HTMLInputElement>(el, 'input[aria-label="shape of y"]').value).toBe('3, 4');
    expect(q(el, '[role="alert"]').textContent).toContain('x has 5 and y has 3');
  });

  it('never parses names as markup', () => {
    const { el } = mount({ shapes: [[2]], names: ['<img src=x onerror=alert(1)>'] });
    expect(el.querySelector('img')).toBeNull();
    expect(el.textContent).toContain('<img src=x onerror=alert(1)>');
  });
});

describe('shape explorer view: playground, strides and values', () => {
  it('runs the indexing playground and applies its shape', () => {
    const { el, onChange } = mount({ shapes: [[3], [3]] });
    const out = q(el, '.mm-playground p');
    expect(out.textContent).toBe('a[:, None].shape → (3, 1)');
    q<HTMLButtonElement>(el, 'button[aria-label="index with .unsqueeze(0)"]').click();
    expect(out.textContent).toBe('a.unsqueeze(0).shape → (1, 3)');
    const expr = q<HTMLInputElement>(el, 'input[aria-label="index expression"]');
    type(expr, '[:, None]');
    q<HTMLButtonElement>(el, 'button[aria-label="replace the operand with the indexed shape"]').click();
    expect(onChange).toHaveBeenLastCalledWith(expect.objectContaining({ shapes: [[3, 1], [3]] }));
    expect(q(el, 'tfoot .mm-mono').textContent).toBe('(3, 3)');
    type(expr, '[5]');
    expect(q(el, '.mm-playground .mm-error').textContent).toContain('out of bounds');
  });

  it('shows stride 0 on stretched and missing dims', () => {
    const { el } = mount({ shapes: [[3, 1], [4]] });
    const rows = qa(el, '.mm-strides tbody tr').map(r => qa(r, 'td').map(td => td.textContent));
    expect(rows).toEqual([
      ['a', '(3, 1)', '(1, 1) contiguous', '(3, 4)', '(1, 0)'],
      ['b', '(4,)', '(1,) contiguous', '(3, 4)', '(0, 1)']
    ]);
  });

  it("uses a tensor's own strides until its shape is edited", () => {
    const { el, onChange } = mount({ shapes: [[4, 1], [4, 3]], strides: [[1, 4], [1, 4]] });
    const strideCells = () => [...el.querySelectorAll('.mm-strides tbody tr')].map(r => r.children[2].textContent + ' ' + r.children[4].textContent);
    expect(strideCells()).toEqual(['(1, 4) (1, 0)', '(1, 4) (1, 4)']);
    type(q<HTMLInputElement>(el, 'input[aria-label="shape of b"]'), '4, 2');
    expect(strideCells()).toEqual(['(1, 4) (1, 0)', '(2, 1) contiguous (2, 1)']);
    expect(onChange.mock.lastCall?.[0].strides).toEqual([[1, 4], null]);
  });

  it('ghosts broadcast copies in the value view', () => {
    const { el } = mount({ shapes: [[3, 1], [4]], values: [[[1], [2], [3]], [10, 20, 30, 40]] });
    const grids = qa(el, '.mm-value-view table');
    expect(grids.length).toBe(2);
    const ghosts = (t: Element) => qa(t, 'td').map(td => (td.classList.contains('mm-ghost') ? 'g' : 'o')).join('');
    expect(ghosts(grids[0])).toBe('oggg' + 'oggg' + 'oggg');
    expect(ghosts(grids[1])).toBe('oooo' + 'gggg' + 'gggg');
    expect(qa(grids[0], 'td').map(td => td.textContent).slice(0, 5)).toEqual(['1', '1', '1', '1', '2']);
  });

  it('shows values only while the shape still matches them', () => {
    const { el } = mount({ shapes: [[3, 1], [4]], values: [[[1], [2], [3]], [10, 20, 30, 40]] });
    const b = q<HTMLInputElement>(el, 'input[aria-label="shape of b"]');
    type(b, '1');
    expect(qa(el, '.mm-value-view table').length).toBe(1);
    type(b, '4');
    expect(qa(el, '.mm-value-view table').length).toBe(2);
  });

  it('hides the value view without values and explains when the result is too big', () => {
    expect(q<HTMLElement>(mount({ shapes: [[3]] }).el, '.mm-value-view').hidden).toBe(true);
    const { el } = mount({ shapes: [[9, 1], [9]], values: [null, [1, 2, 3, 4, 5, 6, 7, 8, 9]] });
    expect(q(el, '.mm-value-view').textContent).toContain('larger than 8x8');
  });
});

describe('shape explorer view: speed, the panel and echoed edits', () => {
  it('re-renders an 8-D edit well within a frame', () => {
    const { el } = mount({ shapes: [[2, 1, 3, 1, 5, 1, 7, 1], [1, 4, 1, 6, 1, 8, 1, 2]] });
    const input = q<HTMLInputElement>(el, 'input[aria-label="shape of a"]');
    type(input, '2,1,3,1,5,1,7,3');
    expect(qa(el, 'table.mm-shapes > tbody > tr')[0].querySelectorAll('td.mm-dim').length).toBe(8);
  });

  it('uses a custom root name for the panel', () => {
    const el = document.createElement('div');
    renderShapeExplorer(el, { shapes: [[1]] }, () => undefined, { rootName: 'shape-panel' });
    expect(el.firstElementChild?.getAttribute('data-matmul-magic')).toBe('shape-panel');
  });

  it('keeps reading edits after the owner echoes each one back', () => {
    // The model hands every saved state back through update(); typing goes on in the same box.
    const { el, view, onChange } = mount({ shapes: [[3, 1], [4]] });
    const input = q<HTMLInputElement>(el, 'input[aria-label="shape of b"]');
    for (const [text, said] of [['2,1,4', '(2, 3, 4)'], ['2,4', 'Dimension -2 clashes: a has 3 and b has 2']]) {
      type(input, text);
      view.update(onChange.mock.lastCall![0]);
      expect(q(el, '.mm-reason, .mm-error').textContent).toContain(said);
    }
    expect(onChange).toHaveBeenCalledTimes(2);
  });
});

describe('value grid', () => {
  it('broadcasts a scalar over a matrix, original first', () => {
    const grid = valueGrid('s', [], 7, [2, 2]);
    expect(qa(grid, 'td').map(td => `${td.textContent}${td.classList.contains('mm-ghost') ? 'g' : ''}`)).toEqual(['7', '7g', '7g', '7g']);
  });
});

describe('strides', () => {
  it('matches torch for contiguous tensors and expand', () => {
    expect(contiguousStrides([3, 1])).toEqual([1, 1]);
    expect(contiguousStrides([2, 0, 3])).toEqual([3, 3, 1]);
    expect(contiguousStrides([])).toEqual([]);
    expect(expandStrides([3, 1], [3, 4])).toEqual([1, 0]);
    expect(expandStrides([4], [2, 3, 4])).toEqual([0, 0, 1]);
    expect(expandStrides([1, 1], [5, 1])).toEqual([0, 1]);
    expect(expandStrides([], [2, 2])).toEqual([0, 0]);
  });
});

describe('shape explorer widget entry', () => {
  it('binds the view to an anywidget model both ways', () => {
    const data: Record<string, unknown> = {
      _view_kind: 'shape-explorer',
      shapes: [[5, 1], [4]],
      names: ['a', 'b'],
      values: [null, null]
    };
    const listeners: Record<string, (() => void)[]> = {};
    const model = {
      get: (k: string) => data[k],
      set: vi.fn((k: string, v: unknown) => {
        data[k] = v;
      }),
      save_changes: vi.fn(),
      on: (e: string, cb: () => void) => (listeners[e] ??= []).push(cb),
      off: (e: string, cb: () => void) => (listeners[e] = (listeners[e] ?? []).filter(c => c !== cb))
    };
    const el = document.createElement('div');
    const cleanup = widget.render({ model, el });
    type(q<HTMLInputElement>(el, 'input[aria-label="shape of b"]'), '2,1,4');
    expect(model.set).toHaveBeenCalledWith('shapes', [[5, 1], [2, 1, 4]]);
    expect(model.save_changes).toHaveBeenCalledTimes(1);
    data.shapes = [[5, 1], [3, 4]];
    listeners['change:shapes'].forEach(cb => cb());
    expect(q(el, '[role="alert"]').textContent).toContain('a has 5 and b has 3');
    cleanup();
    expect(el.children.length).toBe(0);
    expect(listeners['change:shapes'].length).toBe(0);
  });

  it('says so, as text, when the model names a view the bundle lacks', () => {
    const model = { get: () => '<b>nope</b>', set: vi.fn(), save_changes: vi.fn(), on: vi.fn(), off: vi.fn() };
    const el = document.createElement('div');
    const cleanup = widget.render({ model, el });
    expect(el.textContent).toBe('matmul-magic: no widget view named "<b>nope</b>".');
    expect(el.querySelector('b')).toBeNull();
    expect(model.on).not.toHaveBeenCalled();
    cleanup();
    expect(el.textContent).toBe('');
  });
});

describe('shape explorer keyboard and focus', () => {
  it('says "remove" in words and keeps focus in the table after a removal', () => {
    const { el } = mount({ shapes: [[5, 1], [4], [3, 1, 1]] });
    const removes = () => [...el.querySelectorAll<HTMLButtonElement>('button[aria-label^="remove operand"]')];
    expect(removes().map(b => [b.textContent?.trim(), b.getAttribute('aria-label')])).toEqual([
      ['remove', 'remove operand a'],
      ['remove', 'remove operand b'],
      ['remove', 'remove operand c']
    ]);
    expect(el.textContent).not.toContain('×');
    removes()[2].click(); // the last row goes: focus moves to the new last row's button
    expect(document.activeElement?.getAttribute('aria-label')).toBe('remove operand b');
    removes()[0].click(); // a goes; b moves up into the focused place
    expect(document.activeElement?.getAttribute('aria-label')).toBe('shape of b');
    expect(document.activeElement).not.toBe(document.body);
  });

  it('focuses the new shape box after adding an operand', () => {
    const { el } = mount({ shapes: [[5, 1]] });
    q<HTMLButtonElement>(el, 'button[aria-label="add an operand"]').click();
    expect(document.activeElement?.getAttribute('aria-label')).toBe('shape of b');
  });

  it('wraps operand names only between tokens', () => {
    const { el } = mount({ shapes: [[784, 1], [784, 10]], names: ['a[i].unsqueeze(-1)', 'b'] });
    const name = q(el, 'tbody td.mm-name');
    expect(name.textContent).toBe('a[i].unsqueeze(-1)');
    const parts = [...name.childNodes].map(n => (n.nodeName === 'WBR' ? '|' : n.textContent));
    expect(parts.join('')).toBe('a|[i]|.unsqueeze|(-1)');
  });

  it('names itself in the panel', () => {
    const el = document.body.appendChild(document.createElement('div'));
    renderShapeExplorer(el, { shapes: [[1]] }, vi.fn(), { rootName: 'shape-panel', title: 'Shape Explorer: broadcasting' });
    expect(q(el, 'h3').textContent).toBe('Shape Explorer: broadcasting');
  });
});
