// The Matmul Stepper's DOM rendering: c[i,j] = Σ_k a[i,k]·b[k,j] one step at a time, at the
// lesson's four levels, so a learner sees how many Python-level steps each level takes.
import { button, cellGrid, formatShape, formatValue, h, iconLabel, tableHead, viewRoot } from '../common/dom';
import type { GridCell } from '../common/dom';
import type { Values } from '../shape_explorer/view';

export interface StepperState {
  /** [[m, k], [k, n]] */
  shapes: number[][];
  /** [a, b] as nested lists (both at most 8x8), or [] to show indices only. */
  values: Values[];
  level: number;
  step: number;
  playing: boolean;
  /** Steps per second while playing. */
  speed: number;
}

export interface StepperView {
  update(state: StepperState): void;
  destroy(): void;
}

export const LEVELS = [
  {
    name: 'scalar k loop',
    code: 'for i in range(m):\n  for j in range(n):\n    for k in range(K):\n      c[i,j] += a[i,k] * b[k,j]'
  },
  { name: 'row · column', code: 'for i in range(m):\n  for j in range(n):\n    c[i,j] = (a[i,:] * b[:,j]).sum()' },
  { name: 'row broadcast', code: 'for i in range(m):\n  c[i] = (a[i,:,None] * b).sum(dim=0)' },
  { name: 'whole product', code: 'c = a @ b' }
];

const MAX_GRID_SIDE = 8;

/** How many Python-level steps `level` takes for an (m, K) @ (K, n) product. */
export function stepsAt(level: number, m: number, k: number, n: number): number {
  return [m * n * k, m * n, m, 1][level];
}

/** What step `step` (1-based, 0 = nothing done) touches at `level`. */
export interface Focus {
  /** Rows of a, columns of b and cells of c that the step reads or writes. */
  aCells: (i: number, k: number) => boolean;
  bCells: (k: number, j: number) => boolean;
  cCells: (i: number, j: number) => boolean;
  /** How many k terms of c[i,j] are summed after this step (K when finished, 0 when not started). */
  terms: (i: number, j: number) => number;
  /** One line saying what the step did. */
  text: string;
}

export function focusAt(level: number, step: number, k: number, n: number): Focus {
  const none = () => false;
  if (step <= 0) {
    return { aCells: none, bCells: none, cCells: none, terms: () => 0, text: 'Nothing computed yet.' };
  }
  const t = step - 1;
  if (level === 0) {
    const cell = Math.floor(t / k);
    const [i, j, kk] = [Math.floor(cell / n), cell % n, t % k];
    return {
      aCells: (r, c) => r === i && c === kk,
      bCells: (r, c) => r === kk && c === j,
      cCells: (r, c) => r === i && c === j,
      terms: (r, c) => (r * n + c < cell ? k : r * n + c === cell ? kk + 1 : 0),
      text: `c[${i},${j}] += a[${i},${kk}] * b[${kk},${j}]`
    };
  }
  if (level === 1) {
    const [i, j] = [Math.floor(t / n), t % n];
    return {
      aCells: r => r === i,
      bCells: (_r, c) => c === j,
      cCells: (r, c) => r === i && c === j,
      terms: (r, c) => (r * n + c <= t ? k : 0),
      text: `c[${i},${j}] = (a[${i},:] * b[:,${j}]).sum()`
    };
  }
  if (level === 2) {
    return {
      aCells: r => r === t,
      bCells: () => true,
      cCells: r => r === t,
      terms: r => (r <= t ? k : 0),
      text: `c[${t}] = (a[${t},:,None] * b).sum(dim=0)`
    };
  }
  return { aCells: () => true, bCells: () => true, cCells: () => true, terms: () => k, text: 'c = a @ b' };
}

function partialSum(a: Values[], b: Values[], i: number, j: number, terms: number): number {
  let sum = 0;
  for (let kk = 0; kk < terms; kk++) {
    sum += Number((a[i] as Values[])[kk]) * Number((b[kk] as Values[])[j]);
  }
  return sum;
}

/** A matrix as a captioned cell grid: the caption doubles as its screen-reader label. */
function grid(label: string, rows: number, cols: number, cell: (r: number, c: number) => GridCell): HTMLElement {
  return cellGrid(label, label, rows, cols, cell);
}

/** Render a Matmul Stepper into `el`; `onChange` gets the fields the user changed. */
export function renderMatmulStepper(
  el: HTMLElement,
  initial: StepperState,
  onChange: (patch: Partial<StepperState>) => void
): StepperView {
  let state: StepperState = { ...initial };
  let timer: ReturnType<typeof setInterval> | null = null;

  const root = viewRoot(el, 'matmul-stepper', 'Matmul stepper');
  const levelSelect = h('select', { attrs: { 'aria-label': 'level' } }, LEVELS.map((l, i) => h('option', { text: `${i}: ${l.name}` })));
  const reset = button('reset', 'reset to step 0', () => set({ step: 0, playing: false }));
  const back = button('back', 'step back', () => set({ step: Math.max(0, state.step - 1), playing: false }));
  iconLabel(back, 'back', 'back');
  const play = button('play', 'play', () => {
    if (state.playing) return set({ playing: false });
    set({ playing: true, step: state.step >= total() ? 0 : state.step });
  });
  const forward = button('step', 'step forward', () => set({ step: Math.min(total(), state.step + 1), playing: false }));
  iconLabel(forward, 'forward', 'step', true);
  const end = button('end', 'jump to the end', () => set({ step: total(), playing: false }));
  const speed = h('input', { attrs: { type: 'range', min: '0', max: '100', 'aria-label': 'speed, steps per second' } });
  const speedText = h('span', { class: 'mm-caption' });
  const scrub = h('input', { attrs: { type: 'range', min: '0', 'aria-label': 'step' } });
  const status = h('p', { class: 'mm-mono', attrs: { 'aria-live': 'polite' } });
  const code = h('pre', { attrs: { 'aria-label': 'code at this level' } });
  const grids = h('div', { class: 'mm-values' });
  const costs = h('tbody');
  root.append(
    h('h3', { text: 'c[i,j] = Σ_k a[i,k]·b[k,j]' }),
    h('div', { class: 'mm-row' }, [levelSelect, reset, back, play, forward, end]),
    h('div', { class: 'mm-row' }, [h('span', { text: 'speed' }), speed, speedText, h('span', { text: 'step' }), scrub]),
    status,
    code,
    grids,
    h('details', {}, [
      h('summary', { text: 'Why each level is faster' }),
      h('p', { class: 'mm-caption', text: 'Each Python-level step costs interpreter overhead; the later levels hand whole rows or the whole product to compiled code.' }),
      h('table', { class: 'mm-grid' }, [
        tableHead(['level', 'Python-level steps'], 'mm-name'),
        costs
      ])
    ])
  );
  el.appendChild(root);

  levelSelect.addEventListener('change', () => set({ level: levelSelect.selectedIndex, step: 0, playing: false }));
  // The speed slider is logarithmic: 0.5 to 200 steps per second.
  const toSpeed = (v: number) => Math.round(0.5 * Math.pow(400, v / 100) * 10) / 10;
  const fromSpeed = (s: number) => Math.round((100 * Math.log(s / 0.5)) / Math.log(400));
  speed.addEventListener('input', () => set({ speed: toSpeed(Number(speed.value)) }));
  scrub.addEventListener('input', () => set({ step: Number(scrub.value), playing: false }));

  function dims(): [number, number, number] {
    const [[m, k], [, n]] = state.shapes;
    return [m, k, n];
  }
  function total(): number {
    const [m, k, n] = dims();
    return stepsAt(state.level, m, k, n);
  }

  function set(patch: Partial<StepperState>): void {
    state = { ...state, ...patch };
    render();
    onChange(patch);
  }

  function tick(): void {
    if (state.step >= total()) set({ playing: false });
    else set({ step: state.step + 1 });
  }

  function syncTimer(): void {
    if (timer !== null) clearInterval(timer);
    timer = state.playing ? setInterval(tick, 1000 / Math.max(0.1, state.speed)) : null;
  }

  let lastTimer = '';
  function render(): void {
    const [m, k, n] = dims();
    const steps = total();
    const timerKey = `${state.playing}:${state.speed}`;
    if (timerKey !== lastTimer) {
      lastTimer = timerKey;
      syncTimer();
    }
    levelSelect.selectedIndex = state.level;
    iconLabel(play, state.playing ? 'pause' : 'play', state.playing ? 'pause' : 'play');
    play.setAttribute('aria-label', state.playing ? 'pause' : 'play');
    play.setAttribute('aria-pressed', String(state.playing));
    speed.value = String(fromSpeed(state.speed));
    speedText.textContent = `${state.speed}/s`;
    scrub.max = String(steps);
    scrub.value = String(state.step);
    code.textContent = LEVELS[state.level].code;
    const focus = focusAt(state.level, state.step, k, n);
    status.textContent = `step ${state.step} of ${steps} (${LEVELS[state.level].name}) — ${focus.text}`;

    const [a, b] = state.values.length === 2 ? (state.values as Values[][]) : [null, null];
    if (Math.max(m, k, n) > MAX_GRID_SIDE) {
      grids.replaceChildren(
        h('p', {
          class: 'mm-caption',
          text: `a ${formatShape([m, k])} @ b ${formatShape([k, n])} → c ${formatShape([m, n])}: too large to draw (values show up to 8x8); the indices above follow each step.`
        })
      );
    } else {
      grids.replaceChildren(
        grid(`a ${formatShape([m, k])}`, m, k, (r, c) => ({
          text: a ? formatValue((a[r] as Values[])[c]) : `${r},${c}`,
          cls: focus.aCells(r, c) ? 'mm-hot' : 'mm-todo'
        })),
        grid(`b ${formatShape([k, n])}`, k, n, (r, c) => ({
          text: b ? formatValue((b[r] as Values[])[c]) : `${r},${c}`,
          cls: focus.bCells(r, c) ? 'mm-hot' : 'mm-todo'
        })),
        grid(`c ${formatShape([m, n])}`, m, n, (r, c) => {
          const terms = focus.terms(r, c);
          const text = terms === 0 ? '·' : a && b ? formatValue(partialSum(a, b, r, c, terms)) : terms === k ? '✓' : `${terms}/${k}`;
          return { text, cls: focus.cCells(r, c) ? 'mm-hot' : terms > 0 ? 'mm-warm' : 'mm-todo' };
        })
      );
    }
    costs.replaceChildren(
      ...LEVELS.map((l, i) =>
        h('tr', {}, [
          h('td', { class: 'mm-name', text: `${i}: ${l.name}${i === state.level ? ' (shown)' : ''}` }),
          h('td', { class: 'mm-dim', text: stepsAt(i, m, k, n).toLocaleString('en') })
        ])
      )
    );
    for (const node of [back, reset]) node.setAttribute('aria-disabled', String(state.step <= 0));
    for (const node of [forward, end]) node.setAttribute('aria-disabled', String(state.step >= steps));
  }

  render();
  return {
    update(next: StepperState): void {
      state = { ...next };
      render();
    },
    destroy(): void {
      if (timer !== null) clearInterval(timer);
      root.remove();
    }
  };
}
