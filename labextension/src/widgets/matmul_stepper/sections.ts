// The Matmul Stepper's sections: the level menu and step buttons, the speed and step sliders,
// what the step did, the level's code, the three matrices, and what each level costs.
import { LEVELS, MAX_VALUE_SIDE } from '../../generated/widgets';
import { formatCount } from '../../bench_result/format';
import { button, cellGrid, explainedTable, formatShape, formatValue, h, iconLabel } from '../common/dom';
import type { Section } from '../common/section';
import type { Values } from '../shape_explorer/view';
import { partialSum, stepsAt, stepValues } from './focus';
import type { Focus } from './focus';

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

export interface StepperContext {
  state: StepperState;
  /** Change some fields: redraw, and tell the owner which. */
  set(patch: Partial<StepperState>): void;
  /** Steps in a full run at the current level. */
  total(): number;
}

/** The dims of the product, the steps of this level, and what the current step touches. */
export interface StepperFrame {
  m: number;
  k: number;
  n: number;
  steps: number;
  focus: Focus;
}

/** Moves by hand to `step` (kept within the run), which stops the animation. */
const seek = (ctx: StepperContext, step: number) =>
  ctx.set({ step: Math.max(0, Math.min(ctx.total(), step)), playing: false });

/** The level menu, reset, back, play/pause, step forward and jump to the end. */
export function buttons(ctx: StepperContext): Section<StepperFrame> {
  const options = LEVELS.map((l, i) => h('option', { text: `${i}: ${l.name}` }));
  const levelSelect = h('select', { label: 'level' }, options);
  levelSelect.addEventListener('change', () => ctx.set({ level: levelSelect.selectedIndex, step: 0, playing: false }));
  const reset = button('reset', 'reset to step 0', () => seek(ctx, 0));
  const back = button('back', 'step back', () => seek(ctx, ctx.state.step - 1));
  iconLabel(back, 'back', 'back');
  const play = button('play', 'play', () => {
    if (ctx.state.playing) return ctx.set({ playing: false });
    ctx.set({ playing: true, step: ctx.state.step >= ctx.total() ? 0 : ctx.state.step });
  });
  const forward = button('step', 'step forward', () => seek(ctx, ctx.state.step + 1));
  iconLabel(forward, 'forward', 'step', true);
  const end = button('end', 'jump to the end', () => seek(ctx, ctx.total()));
  const update = ({ steps }: StepperFrame) => {
    const { level, playing, step } = ctx.state;
    levelSelect.selectedIndex = level;
    const word = playing ? 'pause' : 'play';
    iconLabel(play, word, word);
    for (const name of ['aria-label', 'title']) play.setAttribute(name, word); // the tooltip too
    play.setAttribute('aria-pressed', String(playing));
    for (const node of [back, reset]) node.setAttribute('aria-disabled', String(step <= 0));
    for (const node of [forward, end]) node.setAttribute('aria-disabled', String(step >= steps));
  };
  return { el: h('div.mm-row', {}, [levelSelect, reset, back, play, forward, end]), update };
}

// The speed slider is logarithmic: 0.5 to 200 steps per second.
const toSpeed = (v: number) => Math.round(0.5 * Math.pow(400, v / 100) * 10) / 10;
const fromSpeed = (s: number) => Math.round((100 * Math.log(s / 0.5)) / Math.log(400));

/** The speed slider and the step scrubber. */
export function sliders(ctx: StepperContext): Section<StepperFrame> {
  const speed = h('input', { label: 'speed, steps per second', attrs: { type: 'range', min: '0', max: '100' } });
  const speedText = h('span.mm-caption');
  const scrub = h('input', { label: 'step', attrs: { type: 'range', min: '0' } });
  speed.addEventListener('input', () => ctx.set({ speed: toSpeed(Number(speed.value)) }));
  scrub.addEventListener('input', () => seek(ctx, Number(scrub.value)));
  const el = h('div.mm-row', {}, [h('span', { text: 'speed' }), speed, speedText, h('span', { text: 'step' }), scrub]);
  const update = ({ steps }: StepperFrame) => {
    speed.value = String(fromSpeed(ctx.state.speed));
    speedText.textContent = `${ctx.state.speed}/s`;
    // What a screen reader says: the speed shown, not the slider's 0-100 position.
    speed.setAttribute('aria-valuetext', `${ctx.state.speed} steps per second`);
    scrub.max = String(steps);
    scrub.value = String(ctx.state.step);
    scrub.setAttribute('aria-valuetext', `step ${ctx.state.step} of ${steps}`);
  };
  return { el, update };
}

/** `step 3 of 12 (<the level's name>) — <what the step did>: <the numbers it multiplied>`. */
export function stepStatus(ctx: StepperContext): Section<StepperFrame> {
  const el = h('p.mm-mono', { attrs: { 'aria-live': 'polite' } });
  const update = ({ steps, focus, k, n, m }: StepperFrame) => {
    const { level, step, values } = ctx.state;
    const drawn = values.length === 2 && Math.max(m, k, n) <= MAX_VALUE_SIDE && step <= steps;
    const numbers = drawn ? stepValues(level, focus, values[0] as Values[], values[1] as Values[], k, n) : '';
    el.textContent = `step ${step} of ${steps} (${LEVELS[level].name}) — ${focus.text}${numbers ? `: ${numbers}` : ''}`;
  };
  return { el, update };
}

/** The level's code, one line per element; the line the current step runs is marked. */
export function levelCode(ctx: StepperContext): Section<StepperFrame> {
  const el = h('pre.mm-code', { label: 'code at this level' });
  const update = ({ steps }: StepperFrame) => {
    const { code, step } = LEVELS[ctx.state.level];
    const running = ctx.state.step > 0 && ctx.state.step <= steps;
    const lines = code.split('\n');
    el.replaceChildren(
      ...lines.map((line, i) => {
        const current = running && line.trim() === step;
        const text = i < lines.length - 1 ? `${line}\n` : line;
        return h('span', { class: current ? 'mm-line mm-current' : 'mm-line', text, attrs: current ? { 'aria-current': 'step' } : {} });
      })
    );
  };
  return { el, update };
}

function matrices({ m, k, n, focus }: StepperFrame, a: Values[] | null, b: Values[] | null): HTMLElement[] {
  const cell = (r: number, c: number) => {
    const terms = focus.terms(r, c);
    const text = terms === 0 ? '·' : a && b ? formatValue(partialSum(a, b, r, c, terms)) : terms === k ? '✓' : `${terms}/${k}`;
    return { text, cls: focus.cCells(r, c) ? 'mm-hot' : terms > 0 ? 'mm-warm' : 'mm-todo' };
  };
  // An operand's cells: its values (else its indices), hot where the step reads them.
  const operand = (values: Values[] | null, hot: (r: number, c: number) => boolean) => (r: number, c: number) => ({
    text: values ? formatValue((values[r] as Values[])[c]) : `${r},${c}`,
    cls: hot(r, c) ? 'mm-hot' : 'mm-todo'
  });
  return [
    cellGrid(`a ${formatShape([m, k])}`, m, k, operand(a, focus.aCells)),
    cellGrid(`b ${formatShape([k, n])}`, k, n, operand(b, focus.bCells)),
    cellGrid(`c ${formatShape([m, n])}`, m, n, cell)
  ];
}

/** a, b and c as cell grids (values when given, else indices), the step's cells hot. */
export function grids(ctx: StepperContext): Section<StepperFrame> {
  const el = h('div.mm-values');
  const update = (frame: StepperFrame) => {
    const { m, k, n } = frame;
    if (Math.max(m, k, n) > MAX_VALUE_SIDE) {
      const side = `${MAX_VALUE_SIDE}x${MAX_VALUE_SIDE}`;
      const text = `a ${formatShape([m, k])} @ b ${formatShape([k, n])} → c ${formatShape([m, n])}: too large to draw (values show up to ${side}); the indices above follow each step.`;
      el.replaceChildren(h('p.mm-caption', { text }));
      return;
    }
    const [a, b] = ctx.state.values.length === 2 ? (ctx.state.values as Values[][]) : [null, null];
    el.replaceChildren(...matrices(frame, a, b));
  };
  return { el, update };
}

/** Why each level is faster: how many Python-level steps each takes for this product. */
export function costs(ctx: StepperContext): Section<StepperFrame> {
  const body = h('tbody');
  const el = explainedTable('details', 'Why each level is faster',
    'Each Python-level step costs interpreter overhead; the later levels hand whole rows or the whole product to compiled code.',
    ['level', 'Python-level steps'], body, 'mm-name');
  const update = ({ m, k, n }: StepperFrame) => {
    body.replaceChildren(
      ...LEVELS.map((l, i) =>
        h('tr', {}, [
          h('td.mm-name', { text: `${i}: ${l.name}${i === ctx.state.level ? ' (shown)' : ''}` }),
          h('td.mm-dim', { text: formatCount(stepsAt(i, m, k, n)) })
        ])
      )
    );
  };
  return { el, update };
}
