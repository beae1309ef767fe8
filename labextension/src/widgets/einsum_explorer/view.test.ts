// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';

import { axesOf, renderEinsumExplorer } from './view';
import widget from '../index';

function mount(spec: string, shapes: number[][]) {
  const el = document.createElement('div');
  document.body.appendChild(el);
  const onChange = vi.fn();
  const view = renderEinsumExplorer(el, { spec, shapes }, onChange);
  return { el, view, onChange };
}

function type(input: HTMLInputElement, text: string): void {
  input.value = text;
  input.dispatchEvent(new Event('input', { bubbles: true }));
}

const q = <T extends Element>(el: Element, sel: string) => el.querySelector(sel) as T;
const chips = (el: Element) => [...el.querySelectorAll('.mm-axis')].map(c => `${c.textContent}${c.classList.contains('mm-summed') ? '*' : ''}`);

afterEach(() => document.body.replaceChildren());

describe('einsum explorer view', () => {
  it("labels axes, highlights k and gives (5, 10) for the lesson's matmul", () => {
    const { el } = mount('ik,kj->ij', [[5, 784], [784, 10]]);
    expect(q(el, '[data-matmul-magic="einsum-explorer"]')).not.toBeNull();
    const rows = [...el.querySelectorAll('tbody tr')];
    expect(chips(rows[0])).toEqual(['i=5', 'k=784*']);
    expect(chips(rows[1])).toEqual(['k=784*', 'j=10']);
    expect(q(el, 'tfoot').textContent).toContain('(5, 10)');
    expect(q(el, '.mm-reason').textContent).toBe('Summed over k (highlighted): output shape (5, 10).');
    expect(q(el, 'pre').textContent).toContain('for k in range(784):');
  });

  it('shows batch matmul', () => {
    const { el } = mount('bik,bkj->bij', [[2, 5, 3], [2, 3, 4]]);
    expect(chips(q(el, 'tfoot'))).toEqual(['b=2', 'i=5', 'j=4']);
    expect(q(el, '.mm-reason').textContent).toContain('Summed over k');
  });

  it('recomputes as the spec is typed and reports it', () => {
    const { el, onChange } = mount('ik,kj->ij', [[5, 3], [3, 2]]);
    type(q<HTMLInputElement>(el, 'input[aria-label="einsum spec"]'), 'ik,kj->ji');
    expect(onChange).toHaveBeenLastCalledWith({ spec: 'ik,kj->ji', shapes: [[5, 3], [3, 2]], names: ['a', 'b'] });
    expect(q(el, 'tfoot').textContent).toContain('(2, 5)');
    type(q<HTMLInputElement>(el, 'input[aria-label="einsum spec"]'), 'ik,kj->iz');
    expect(q(el, '[role="alert"]').textContent).toContain('z');
    expect(q(el, 'pre').textContent).toBe('');
  });

  it('edits shapes, reports a size clash and keeps bad typing local', () => {
    const { el, onChange } = mount('ik,kj->ij', [[5, 3], [3, 2]]);
    const b = q<HTMLInputElement>(el, 'input[aria-label="shape of b"]');
    type(b, '4,2');
    expect(onChange).toHaveBeenLastCalledWith({ spec: 'ik,kj->ij', shapes: [[5, 3], [4, 2]], names: ['a', 'b'] });
    expect(q(el, '[role="alert"]').textContent).toContain('Index k');
    onChange.mockClear();
    type(b, '4;2');
    expect(onChange).not.toHaveBeenCalled();
    expect(b.getAttribute('aria-invalid')).toBe('true');
  });
});

describe('einsum explorer view: names, operands and errors', () => {
  it('names the ellipsis axes and adds operands', () => {
    expect(axesOf(['...', 'i', 'j'], [7, 2, 3, 4])).toEqual([['…', 7], ['…', 2], ['i', 3], ['j', 4]]);
    const { el, onChange } = mount('i->', [[3]]);
    q<HTMLButtonElement>(el, 'button[aria-label="add an operand"]').click();
    // The new operand brings its own index, so the spec stays valid.
    expect(onChange).toHaveBeenLastCalledWith({ spec: 'i,z->', shapes: [[3], [1]], names: ['a', 'b'] });
    expect(q(el, '[role="alert"]')).toBeNull();
    expect(q(el, '.mm-reason').textContent).toContain('Summed over i, z');
    const remove = q<HTMLButtonElement>(el, 'button[aria-label="remove operand b"]');
    expect(remove.textContent).toBe('remove last');
    remove.click();
    expect(onChange).toHaveBeenLastCalledWith({ spec: 'i->', shapes: [[3]], names: ['a'] });
    // The remove button is now disabled: focus goes to the add button, not the page.
    expect(remove.disabled).toBe(true);
    expect(document.activeElement?.getAttribute('aria-label')).toBe('add an operand');
  });

  it("names operands after the learner's expressions, in the table and in errors", () => {
    const el = document.body.appendChild(document.createElement('div'));
    renderEinsumExplorer(el, { spec: 'ij,jk->ik', shapes: [[5, 784], [10, 784]], names: ['m1', 'm2'] }, vi.fn());
    const names = [...el.querySelectorAll('tbody td.mm-name')].map(td => td.textContent);
    expect(names).toEqual(['m1', 'm2']);
    const alert = q(el, '[role="alert"]').textContent!;
    expect(alert).toContain('in m1');
    expect(alert).toContain('in m2');
    expect(alert).not.toMatch(/operand \d/);
  });

  it('keeps the axes on an error, marks the bad index and hides the loops', () => {
    const { el } = mount('ik,kj->ij', [[5, 784], [10, 784]]);
    const rows = [...el.querySelectorAll('tbody tr')];
    expect(chips(rows[0])).toEqual(['i=5', 'k=784']);
    expect(rows[1].querySelectorAll('.mm-axis-bad').length).toBe(1);
    expect(rows[1].querySelector('.mm-axis-bad')!.textContent).toBe('k=10');
    expect(q<HTMLElement>(el, 'details').hidden).toBe(true);
    const ok = mount('ik,kj->ij', [[5, 784], [784, 10]]).el;
    expect(q<HTMLElement>(ok, 'details').hidden).toBe(false);
  });

  it('keeps the names a, b for batch matmul and says what the loops call them', () => {
    const { el } = mount('bik,bkj->bij', [[2, 5, 3], [2, 3, 4]]);
    const names = [...el.querySelectorAll('tbody td.mm-name')].map(td => td.textContent);
    expect(names).toEqual(['a', 'b']);
    expect(q(el, 'details .mm-caption').textContent).toBe('In the loops, a is A, b is B.');
  });

  it('keeps spec text out of markup', () => {
    const { el } = mount('<b>x</b>', [[2]]);
    expect(el.querySelector('b')).toBeNull();
  });

  it('keeps reading edits after the owner echoes each one back', () => {
    const { el, view, onChange } = mount('ik,kj->ij', [[5, 784], [784, 10]]);
    const input = q<HTMLInputElement>(el, 'input[aria-label="shape of b"]');
    for (const [text, shape] of [['784,3', '(5, 3)'], ['784,7', '(5, 7)']]) {
      type(input, text);
      view.update(onChange.mock.lastCall![0]);
      expect(q(el, 'tfoot .mm-mono').textContent).toBe(shape);
    }
    const spec = q<HTMLInputElement>(el, 'input[aria-label="einsum spec"]');
    type(spec, 'ik,kj->ji');
    view.update(onChange.mock.lastCall![0]);
    type(spec, 'ik,kj->j');
    expect(onChange.mock.lastCall![0].spec).toBe('ik,kj->j');
  });
});

describe('einsum widget entry', () => {
  it('binds spec and shapes to the model', () => {
    const data: Record<string, unknown> = { _view_kind: 'einsum-explorer', spec: 'ij->ji', shapes: [[2, 3]] };
    const model = {
      get: (k: string) => data[k],
      set: vi.fn((k: string, v: unknown) => void (data[k] = v)),
      save_changes: vi.fn(),
      on: vi.fn(),
      off: vi.fn()
    };
    const el = document.createElement('div');
    const cleanup = widget.render({ model, el });
    type(q<HTMLInputElement>(el, 'input[aria-label="einsum spec"]'), 'ij->i');
    expect(data.spec).toBe('ij->i');
    expect(model.save_changes).toHaveBeenCalled();
    cleanup();
    expect(model.off).toHaveBeenCalledTimes(3); // spec, shapes and names
  });
});

describe('einsum explorer spec box', () => {
  it('accepts a spec pasted with its quotes', () => {
    const { el, onChange } = mount('ij,jk->ik', [[5, 784], [784, 10]]);
    const spec = q<HTMLInputElement>(el, 'input[aria-label="einsum spec"]');
    for (const pasted of ["'ik,kj->ij'", '"ik,kj->ij"']) {
      type(spec, pasted);
      expect(onChange).toHaveBeenLastCalledWith(expect.objectContaining({ spec: 'ik,kj->ij' }));
      expect(spec.value).toBe(pasted); // what the learner typed stays in the box
      expect(q(el, '[role="alert"]')).toBeNull();
      expect(q(el, '.mm-reason').textContent).toContain('output shape (5, 10)');
    }
  });

  it('says an empty spec is empty', () => {
    const { el } = mount('', [[5, 784], [784, 10]]);
    expect(q(el, '[role="alert"]').textContent).toContain('The spec is empty');
    expect(q(el, '[role="alert"]').textContent).not.toContain('names 1 operand');
  });
});
