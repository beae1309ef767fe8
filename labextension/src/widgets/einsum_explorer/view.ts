// The Einsum Explorer: labelled axes per operand, summed indices highlighted, the output shape
// and the equivalent loop nest. Computes live with the TypeScript port of the rules; each part
// is a section (./sections) over one context.
import { defaultName, errorText, viewRoot } from '../common/dom';
import { parseEinsum } from '../../rules';
import type { View } from '../common/model';
import { explorerHandle } from '../common/operand_rows';
import { mountSections } from '../common/section';
import { nameOperands } from './axes';
import { loopNest, operandButtons, operandTable, specBox, verdict } from './sections';
import type { EinsumContext, EinsumFrame, EinsumState } from './sections';

export { axesOf } from './axes';
export type { EinsumState } from './sections';

const copy = (from: EinsumState): Required<EinsumState> => ({
  spec: from.spec,
  shapes: from.shapes.map(s => [...s]),
  names: from.shapes.map((_, i) => from.names?.[i] ?? defaultName(i))
});

function frameOf(state: Required<EinsumState>): EinsumFrame {
  try {
    return { plan: parseEinsum(state.spec, ...state.shapes), failure: '' };
  } catch (err) {
    return { plan: null, failure: nameOperands(errorText(err), state.names) };
  }
}

/** Render an Einsum Explorer into `el`. */
export function renderEinsumExplorer(
  el: HTMLElement,
  initial: EinsumState,
  onChange: (state: EinsumState) => void
): View<EinsumState> {
  const ctx: EinsumContext = {
    state: copy(initial),
    problems: new Map(),
    render: () => redraw(frameOf(ctx.state)),
    commit: () => {
      ctx.render();
      if (ctx.problems.size === 0) onChange(copy(ctx.state));
    }
  };
  const root = viewRoot(el, 'einsum-explorer', 'Einsum explorer');
  const { redraw, remove } = mountSections(el, root, 'einsum', [
    specBox(ctx),
    operandTable(ctx),
    operandButtons(ctx),
    verdict(ctx),
    loopNest(ctx)
  ]);
  ctx.render();
  return explorerHandle(ctx, remove, copy);
}
