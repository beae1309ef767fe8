// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { focusAt, renderMatmulStepper, stepsAt } from './view';
import type { StepperState } from './view';
import widget from '../index';

const a = [
  [1, 2, 3],
  [4, 5, 6]
];
const b = [
  [1, 0],
  [0, 1],
  [1, 1]
];

function mount(patch: Partial<StepperState> = {}) {
  const el = document.createElement('div');
  document.body.appendChild(el);
  const onChange = vi.fn();
  const state: StepperState = { shapes: [[2, 3], [3, 2]], values: [a, b], level: 0, step: 0, playing: false, speed: 2, ...patch };
  const view = renderMatmulStepper(el, state, onChange);
  return { el, view, onChange };
}

const q = <T extends Element>(el: Element, sel: string) => el.querySelector(sel) as T;
const cTexts = (el: Element) => [...el.querySelectorAll('table[aria-label^="c "] td')].map(td => td.textContent);
const press = (el: Element, label: string) => q<HTMLButtonElement>(el, `button[aria-label="${label}"]`).click();

beforeEach(() => vi.useFakeTimers());
afterEach(() => {
  vi.useRealTimers();
  document.body.replaceChildren();
});

describe('matmul stepper', () => {
  it('counts the steps of each level', () => {
    expect([0, 1, 2, 3].map(l => stepsAt(l, 5, 784, 10))).toEqual([39200, 50, 5, 1]);
  });

  it('steps the scalar k loop with partial sums', () => {
    const { el, onChange } = mount();
    expect(q(el, '[data-matmul-magic="matmul-stepper"]')).not.toBeNull();
    press(el, 'step forward');
    press(el, 'step forward');
    expect(onChange).toHaveBeenLastCalledWith({ step: 2, playing: false });
    expect(q(el, '[aria-live]').textContent).toContain('c[0,0] += a[0,1] * b[1,0]');
    expect(cTexts(el)).toEqual(['1', '·', '·', '·']);
    const hotA = [...el.querySelectorAll('table[aria-label^="a "] td.mm-hot')].map(td => td.textContent);
    expect(hotA).toEqual(['2']);
  });

  it('finishes with the real product at every level', () => {
    for (const level of [0, 1, 2, 3]) {
      const { el } = mount({ level, step: stepsAt(level, 2, 3, 2) });
      expect(cTexts(el)).toEqual(['4', '5', '10', '11']);
    }
  });

  it('highlights a whole row against all of b at the broadcast level', () => {
    const { el } = mount({ level: 2, step: 2 });
    expect(el.querySelectorAll('table[aria-label^="a "] td.mm-hot').length).toBe(3);
    expect(el.querySelectorAll('table[aria-label^="b "] td.mm-hot').length).toBe(6);
    expect(q(el, '[aria-live]').textContent).toContain('c[1] = (a[1,:,None] * b).sum(dim=0)');
  });

  it('draws its play, pause and step icons as SVG, not font glyphs', () => {
    const { el, view } = mount();
    const play = el.querySelector<HTMLButtonElement>('button[aria-label="play"]')!;
    expect(play.querySelector('svg.mm-icon-play')).not.toBeNull();
    expect(el.querySelector('button[aria-label="step forward"] svg.mm-icon-forward')).not.toBeNull();
    expect(el.querySelector('button[aria-label="step back"] svg.mm-icon-back')).not.toBeNull();
    expect(el.textContent).not.toMatch(/[▶◀⏸]/);
    view.update({ shapes: [[2, 3], [3, 2]], values: [], level: 0, step: 0, playing: true, speed: 2 });
    const pause = el.querySelector<HTMLButtonElement>('button[aria-label="pause"]')!;
    expect(pause.querySelector('svg.mm-icon-pause')).not.toBeNull();
    expect(pause.textContent!.trim()).toBe('pause');
    expect(pause.title).toBe('pause'); // its tooltip said "play" while it paused
    view.destroy();
  });
});

describe('matmul stepper controls', () => {
  it('plays at its speed, stops at the end, and pauses', () => {
    const { el, onChange } = mount({ level: 1, speed: 4 });
    press(el, 'play');
    expect(onChange).toHaveBeenLastCalledWith({ playing: true, step: 0 });
    expect(q(el, 'button[aria-pressed]').getAttribute('aria-pressed')).toBe('true');
    vi.advanceTimersByTime(250 * 4);
    expect(onChange).toHaveBeenLastCalledWith({ step: 4 });
    vi.advanceTimersByTime(250);
    expect(onChange).toHaveBeenLastCalledWith({ playing: false });
    vi.advanceTimersByTime(2000);
    expect(onChange).toHaveBeenCalledTimes(6);
  });

  it('changes level from the keyboard-reachable select and resets the step', () => {
    const { el, onChange } = mount({ step: 5 });
    const select = q<HTMLSelectElement>(el, 'select[aria-label="level"]');
    select.selectedIndex = 3;
    select.dispatchEvent(new Event('change'));
    expect(onChange).toHaveBeenLastCalledWith({ level: 3, step: 0, playing: false });
    expect(q(el, 'pre').textContent).toBe('c = a @ b');
  });

  it('shows indices only beyond 8x8', () => {
    const { el } = mount({ shapes: [[5, 784], [784, 10]], values: [], level: 0, step: 786 });
    expect(el.querySelectorAll('table.mm-cells').length).toBe(0);
    expect(q(el, '[aria-live]').textContent).toContain('c[0,1] += a[0,1] * b[1,1]');
    expect(el.textContent).toContain('39,200');
  });

  it('cleans up its timer', () => {
    const { view } = mount({ playing: true });
    view.destroy();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('knows which cells a step touches', () => {
    const f = focusAt(1, 3, 3, 2);
    expect([f.cCells(1, 0), f.aCells(1, 2), f.bCells(2, 0), f.bCells(0, 1)]).toEqual([true, true, true, false]);
  });
});

describe('matmul stepper widget entry', () => {
  it('sends the patch of a step to the model and follows its changes', () => {
    const data: Record<string, unknown> = {
      _view_kind: 'matmul-stepper',
      shapes: [[2, 3], [3, 2]],
      values: [a, b],
      level: 1,
      step: 0,
      playing: false,
      speed: 2
    };
    const listeners: Record<string, (() => void)[]> = {};
    const model = {
      get: (k: string) => data[k],
      set: vi.fn((k: string, v: unknown) => void (data[k] = v)),
      save_changes: vi.fn(),
      on: (e: string, cb: () => void) => (listeners[e] ??= []).push(cb),
      off: vi.fn()
    };
    const el = document.createElement('div');
    const cleanup = widget.render({ model, el });
    expect(q(el, '[data-matmul-magic="matmul-stepper"]')).not.toBeNull();
    press(el, 'step forward');
    expect(model.set).toHaveBeenCalledWith('step', 1);
    expect(model.set).toHaveBeenCalledWith('playing', false);
    expect(model.save_changes).toHaveBeenCalledTimes(1);
    data.step = 4;
    listeners['change:step'].forEach(cb => cb());
    expect(cTexts(el)).toEqual(['4', '5', '10', '11']);
    cleanup();
    expect(model.off).toHaveBeenCalledTimes(6);
    expect(el.children.length).toBe(0);
  });
});

describe('matmul stepper for keyboards and screen readers', () => {
  it('says what each slider means in aria-valuetext', () => {
    const { el } = mount({ speed: 2, step: 3 });
    const speed = q<HTMLInputElement>(el, 'input[aria-label="speed, steps per second"]');
    expect(speed.value).toBe('23');
    expect(speed.getAttribute('aria-valuetext')).toBe('2 steps per second');
    const scrub = q<HTMLInputElement>(el, 'input[aria-label="step"]');
    expect(scrub.getAttribute('aria-valuetext')).toBe('step 3 of 12');
  });

  it('gives the values each step multiplies, at every level', () => {
    const status = (patch: Partial<StepperState>) => q(mount(patch).el, '[aria-live]').textContent;
    expect(status({ level: 0, step: 2 })).toContain('c[0,0] += a[0,1] * b[1,0]: 2 × 0 = 0, so c[0,0] = 1');
    expect(status({ level: 1, step: 1 })).toContain('c[0,0] = (a[0,:] * b[:,0]).sum(): 1×1 + 2×0 + 3×1 = 4');
    expect(status({ level: 2, step: 2 })).toContain('c[1] = [10, 11]');
    expect(status({ level: 0, step: 0 })).toBe('step 0 of 12 (scalar k loop) — Nothing computed yet.');
    // Without values (or beyond 8x8) the indices alone.
    expect(status({ values: [], level: 0, step: 2 })).toMatch(/b\[1,0\]$/);
    // A level and its step arrive from Python one at a time: a step past the level's run for a
    // moment draws without values, never throws.
    expect(status({ level: 2, step: 6 })).toMatch(/^step 6 of 2 /);
  });

  it('marks the line of code the current step runs', () => {
    const marked = (patch: Partial<StepperState>) =>
      [...mount(patch).el.querySelectorAll('pre .mm-current')].map(n => n.textContent?.trim());
    expect(marked({ level: 0, step: 1 })).toEqual(['c[i,j] += a[i,k] * b[k,j]']);
    expect(marked({ level: 2, step: 1 })).toEqual(['c[i] = (a[i,:,None] * b).sum(dim=0)']);
    expect(marked({ level: 3, step: 1 })).toEqual(['c = a @ b']);
    expect(marked({ level: 1, step: 0 })).toEqual([]);
    const { el } = mount({ level: 1, step: 2 });
    expect(q(el, 'pre [aria-current="step"]')).not.toBeNull();
    expect(q(el, 'pre').textContent).toBe('for i in range(m):\n  for j in range(n):\n    c[i,j] = (a[i,:] * b[:,j]).sum()');
  });
});
