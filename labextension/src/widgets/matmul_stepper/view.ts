// The Matmul Stepper: c[i,j] = Σ_k a[i,k]·b[k,j] one step at a time, at the lesson's four
// levels, so a learner sees how many Python-level steps each level takes. Built from sections
// (./sections) over one context; the animation's timer lives here.
import { viewRoot } from '../common/dom';
import type { View } from '../common/model';
import { mountSections } from '../common/section';
import { focusAt, stepsAt } from './focus';
import { buttons, costs, grids, levelCode, sliders, stepStatus } from './sections';
import type { StepperContext, StepperFrame, StepperState } from './sections';

export { focusAt, stepsAt } from './focus';
export type { StepperState } from './sections';

function frameOf(state: StepperState): StepperFrame {
  const [[m, k], [, n]] = state.shapes;
  return { m, k, n, steps: stepsAt(state.level, m, k, n), focus: focusAt(state.level, state.step, k, n) };
}

/** Render a Matmul Stepper into `el`; `onChange` gets the fields the user changed. */
export function renderMatmulStepper(
  el: HTMLElement,
  initial: StepperState,
  onChange: (patch: Partial<StepperState>) => void
): View<StepperState> {
  let timer: ReturnType<typeof setInterval> | null = null;
  let lastTimer = '';
  const ctx: StepperContext = {
    state: { ...initial },
    total: () => frameOf(ctx.state).steps,
    set: patch => {
      ctx.state = { ...ctx.state, ...patch };
      render();
      onChange(patch);
    }
  };
  const tick = () => (ctx.state.step >= ctx.total() ? ctx.set({ playing: false }) : ctx.set({ step: ctx.state.step + 1 }));
  const syncTimer = () => {
    const key = `${ctx.state.playing}:${ctx.state.speed}`;
    if (key === lastTimer) return;
    lastTimer = key;
    if (timer !== null) clearInterval(timer);
    timer = ctx.state.playing ? setInterval(tick, 1000 / Math.max(0.1, ctx.state.speed)) : null;
  };
  const root = viewRoot(el, 'matmul-stepper', 'Matmul stepper');
  const { redraw, remove } = mountSections(el, root, 'c[i,j] = Σ_k a[i,k]·b[k,j]', [
    buttons(ctx),
    sliders(ctx),
    stepStatus(ctx),
    levelCode(ctx),
    grids(ctx),
    costs(ctx)
  ]);
  function render(): void {
    syncTimer();
    redraw(frameOf(ctx.state));
  }
  render();
  return {
    update(next: StepperState): void {
      ctx.state = { ...next };
      render();
    },
    destroy(): void {
      if (timer !== null) clearInterval(timer);
      remove();
    }
  };
}
